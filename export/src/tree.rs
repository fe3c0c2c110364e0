//! The intermediate document tree: what a school document is made of, independent of the
//! format. Each document is assembled into a [`Tree`] once and rendered to .docx
//! ([`crate::docx`]) and to print HTML ([`crate::html`]) from the same tree, so the download and
//! the print view never disagree.

use serde::{Deserialize, Serialize};

/// A whole document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// What the document is called (the file's metadata and the print view's `<title>`).
    pub title: String,
    /// Wide tables (the roadmap, the table of pairs) are printed on landscape pages.
    pub landscape: bool,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Block {
    /// The school's letterhead: centred lines above a rule (founder, name, requisites).
    Letterhead(Vec<Para>),
    /// «СОГЛАСОВАНО» on the left, «УТВЕРЖДАЮ» on the right (either may be absent).
    Approval {
        left: Option<Approval>,
        right: Option<Approval>,
    },
    /// The document's title: centred bold lines (a level-1 heading).
    Title(Vec<String>),
    /// A section heading, numbered by the caller: «1. Пояснительная записка» (level 2).
    Heading(String),
    /// A heading inside a section (level 3).
    Subheading(String),
    Paragraph(Para),
    /// Items numbered «1.», «2.», … or marked with a dash.
    List {
        numbered: bool,
        items: Vec<String>,
    },
    Table(Table),
    /// Two texts on one line, one at each margin: an order's date and number.
    Split {
        left: String,
        right: String,
    },
    /// Lines to sign: role, a line for the signature, the name.
    Signatures(Vec<Signature>),
    /// A bar chart of shares («Встречи проведены: 30 из 40»), one bar a line: drawn with shaded
    /// table cells in .docx and with boxes in print, so any reader shows it.
    Bars(Vec<Bar>),
    /// Vertical space.
    Spacer,
    PageBreak,
}

/// One bar: how many of how many.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub label: String,
    pub done: u64,
    pub of: u64,
}

impl Bar {
    /// The share in whole per cent (0 when there is nothing to count).
    pub fn percent(&self) -> u64 {
        (self.done.min(self.of) * 100)
            .checked_div(self.of)
            .unwrap_or(0)
    }

    /// «30 из 40 (75 %)», or «нет данных».
    pub fn text(&self) -> String {
        if self.of == 0 {
            "нет данных".to_owned()
        } else {
            format!("{} из {} ({} %)", self.done, self.of, self.percent())
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Align {
    Left,
    Center,
    Right,
    /// Justified with a first-line indent: running text.
    #[default]
    Body,
}

/// A paragraph: runs of text, some bold or italic.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Para {
    pub spans: Vec<Span>,
    pub align: Align,
    /// Smaller type (letterheads, notes under a line).
    pub small: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
}

impl Para {
    pub fn new(align: Align) -> Para {
        Para {
            align,
            ..Para::default()
        }
    }

    /// Running text (justified, first-line indent).
    pub fn body(text: impl Into<String>) -> Para {
        Para::new(Align::Body).text(text)
    }

    pub fn text(mut self, text: impl Into<String>) -> Para {
        self.spans.push(Span {
            text: text.into(),
            bold: false,
            italic: false,
        });
        self
    }

    pub fn bold(mut self, text: impl Into<String>) -> Para {
        self.spans.push(Span {
            text: text.into(),
            bold: true,
            italic: false,
        });
        self
    }

    pub fn italic(mut self, text: impl Into<String>) -> Para {
        self.spans.push(Span {
            text: text.into(),
            bold: false,
            italic: true,
        });
        self
    }

    pub fn small(mut self) -> Para {
        self.small = true;
        self
    }

    /// The paragraph's text without formatting.
    pub fn plain(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }
}

/// One approval box: «УТВЕРЖДАЮ», then lines (position, name with its signature line, date,
/// order number).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    pub heading: String,
    pub lines: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// «Таблица 1. Этапы реализации программы», above the table.
    pub caption: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub title: String,
    /// Relative width.
    pub width: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Row {
    Cells(Vec<String>),
    /// A row across the whole table: a roadmap section, a group of pairs.
    Group(String),
}

impl Table {
    pub fn new(columns: &[(&str, u32)]) -> Table {
        Table {
            caption: None,
            columns: columns
                .iter()
                .map(|(title, width)| Column {
                    title: (*title).to_owned(),
                    width: *width,
                })
                .collect(),
            rows: vec![],
        }
    }

    pub fn caption(mut self, caption: impl Into<String>) -> Table {
        self.caption = Some(caption.into());
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(Row::Cells(cells));
    }

    pub fn group(&mut self, title: impl Into<String>) {
        self.rows.push(Row::Group(title.into()));
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    /// «Наставник», «Родитель (законный представитель) наставляемого».
    pub role: String,
    /// «Берёзкина А. С.» or a blank line.
    pub name: String,
}

impl Signature {
    pub fn new(role: impl Into<String>, name: impl Into<String>) -> Signature {
        Signature {
            role: role.into(),
            name: name.into(),
        }
    }
}

impl Tree {
    pub fn new(title: impl Into<String>) -> Tree {
        Tree {
            title: title.into(),
            landscape: false,
            blocks: vec![],
        }
    }

    pub fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }

    pub fn para(&mut self, para: Para) {
        self.blocks.push(Block::Paragraph(para));
    }

    pub fn body(&mut self, text: impl Into<String>) {
        self.para(Para::body(text));
    }

    pub fn heading(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Heading(text.into()));
    }

    pub fn table(&mut self, table: Table) {
        self.blocks.push(Block::Table(table));
    }

    /// Every text of the document in reading order, one entry per paragraph, list item, table
    /// cell or signature part: what tests look for, and what a reader of the PDF sees.
    pub fn texts(&self) -> Vec<String> {
        let mut out = vec![];
        for block in &self.blocks {
            match block {
                Block::Letterhead(lines) => out.extend(lines.iter().map(Para::plain)),
                Block::Approval { left, right } => {
                    for a in [left, right].into_iter().flatten() {
                        out.push(a.heading.clone());
                        out.extend(a.lines.iter().cloned());
                    }
                }
                Block::Title(lines) => out.extend(lines.iter().cloned()),
                Block::Heading(t) | Block::Subheading(t) => out.push(t.clone()),
                Block::Paragraph(p) => out.push(p.plain()),
                Block::List { items, .. } => out.extend(items.iter().cloned()),
                Block::Table(t) => {
                    out.extend(t.caption.iter().cloned());
                    out.extend(t.columns.iter().map(|c| c.title.clone()));
                    for row in &t.rows {
                        match row {
                            Row::Cells(cells) => out.extend(cells.iter().cloned()),
                            Row::Group(g) => out.push(g.clone()),
                        }
                    }
                }
                Block::Split { left, right } => {
                    out.push(left.clone());
                    out.push(right.clone());
                }
                Block::Signatures(s) => {
                    for s in s {
                        out.push(s.role.clone());
                        out.push(s.name.clone());
                    }
                }
                Block::Bars(bars) => {
                    for b in bars {
                        out.push(b.label.clone());
                        out.push(b.text());
                    }
                }
                Block::Spacer | Block::PageBreak => {}
            }
        }
        out
    }

    /// The tables of the document, in order.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
    }

    /// The section headings, in order.
    pub fn headings(&self) -> Vec<&str> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Every signature line, in order.
    pub fn signatures(&self) -> Vec<&Signature> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Signatures(s) => Some(s.iter()),
                _ => None,
            })
            .flatten()
            .collect()
    }
}
