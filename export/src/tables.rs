//! The spreadsheets a curator can download (their names and sheets). The app lists them
//! without the spreadsheet code, which is in the document worker only (`xlsx` feature).

use serde::{Deserialize, Serialize};

/// A table the curator can download.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Table {
    /// Наставники: category, workplace or class, subjects, competencies, time, mentees now.
    MentorBase,
    /// Наставляемые with the request map: one row per request.
    MenteeBase,
    /// Персонифицированный учёт: every participant, their pairs, consent and agreement.
    Register,
    /// Pairs and groups with their programme, form, order and the periods of their phases.
    Pairs,
    /// Consents and agreements: one row per participant and document.
    Consents,
    /// The roadmap by section.
    Roadmap,
    /// The count of participants for the regional mentorship centre (by 30 December).
    RncCount,
    /// A monitoring's part 1 by programme (the first of `SchoolData::monitorings`).
    MonitoringQuality,
    /// A monitoring's satisfaction of mentors and mentees.
    MonitoringSatisfaction,
    /// A monitoring's part 2: entry and final answers compared.
    MonitoringDynamics,
    /// «Показатели мониторинга»: the three sheets above.
    Monitoring,
    /// «Реестры»: every table above, one sheet each.
    All,
}

impl Table {
    /// Every workbook, in the order the screen lists them («Реестры» first).
    pub const ALL: [Table; 8] = [
        Table::All,
        Table::MentorBase,
        Table::MenteeBase,
        Table::Register,
        Table::Pairs,
        Table::Consents,
        Table::Roadmap,
        Table::RncCount,
    ];

    /// The tables that are one sheet each, in the order of «Реестры».
    pub const SHEETS: [Table; 6] = [
        Table::MentorBase,
        Table::MenteeBase,
        Table::Register,
        Table::Pairs,
        Table::Consents,
        Table::Roadmap,
    ];

    /// What the screen calls it.
    pub fn label(self) -> &'static str {
        match self {
            Table::MentorBase => "База наставников",
            Table::MenteeBase => "База наставляемых и карта запросов",
            Table::Register => "Персонифицированный учёт участников",
            Table::Pairs => "Наставнические пары и группы",
            Table::Consents => "Согласия и соглашения",
            Table::Roadmap => "Дорожная карта",
            Table::RncCount => "Численность участников для РНЦ",
            Table::MonitoringQuality => "Качество реализации программы",
            Table::MonitoringSatisfaction => "Удовлетворённость участников",
            Table::MonitoringDynamics => "Динамика развития участников",
            Table::Monitoring => "Показатели мониторинга",
            Table::All => "Реестры",
        }
    }

    /// The sheet's name in a workbook (at most 31 characters, as Excel requires).
    pub fn sheet_name(self) -> &'static str {
        match self {
            Table::MentorBase => "База наставников",
            Table::MenteeBase => "База наставляемых",
            Table::Register => "Персонифицированный учёт",
            Table::Pairs => "Пары и группы",
            Table::Consents => "Согласия и соглашения",
            Table::Roadmap => "Дорожная карта",
            Table::RncCount => "Численность для РНЦ",
            Table::MonitoringQuality => "Качество реализации",
            Table::MonitoringSatisfaction => "Удовлетворённость",
            Table::MonitoringDynamics => "Динамика участников",
            Table::Monitoring => "Показатели мониторинга",
            Table::All => "Реестры",
        }
    }

    /// «База наставников.xlsx».
    pub fn file_name(self) -> String {
        format!("{}.xlsx", self.label())
    }

    /// The sheets of its workbook.
    pub fn sheets(self) -> &'static [Table] {
        match self {
            Table::MentorBase => &[Table::MentorBase],
            Table::MenteeBase => &[Table::MenteeBase],
            Table::Register => &[Table::Register],
            Table::Pairs => &[Table::Pairs],
            Table::Consents => &[Table::Consents],
            Table::Roadmap => &[Table::Roadmap],
            Table::RncCount => &[Table::RncCount],
            Table::MonitoringQuality => &[Table::MonitoringQuality],
            Table::MonitoringSatisfaction => &[Table::MonitoringSatisfaction],
            Table::MonitoringDynamics => &[Table::MonitoringDynamics],
            Table::Monitoring => &[
                Table::MonitoringQuality,
                Table::MonitoringSatisfaction,
                Table::MonitoringDynamics,
            ],
            Table::All => &Table::SHEETS,
        }
    }
}
