use std::fmt;

/// A form of mentorship (форма наставничества) from the target model, or one a school added.
///
/// Stored as a stable code, so an app that does not know a newer form still shows and keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    StudentStudent,
    TeacherStudent,
    TeacherTeacher,
    UniversityStudentStudent,
    UniversityStudentUniversityStudent,
    EmployerStudent,
    /// A code this version of the app does not know, kept as it is.
    Other(String),
}

impl Form {
    /// The forms of Р-145, in the order the documents list them.
    pub const STANDARD: [Form; 6] = [
        Form::StudentStudent,
        Form::TeacherStudent,
        Form::TeacherTeacher,
        Form::UniversityStudentStudent,
        Form::UniversityStudentUniversityStudent,
        Form::EmployerStudent,
    ];

    pub fn code(&self) -> &str {
        match self {
            Form::StudentStudent => "student-student",
            Form::TeacherStudent => "teacher-student",
            Form::TeacherTeacher => "teacher-teacher",
            Form::UniversityStudentStudent => "university-student-student",
            Form::UniversityStudentUniversityStudent => "university-student-university-student",
            Form::EmployerStudent => "employer-student",
            Form::Other(code) => code,
        }
    }

    pub fn from_code(code: &str) -> Form {
        Form::STANDARD
            .into_iter()
            .find(|f| f.code() == code)
            .unwrap_or(Form::Other(code.into()))
    }

    /// The name the documents use: «ученик – ученик».
    pub fn label(&self) -> &str {
        match self {
            Form::StudentStudent => "ученик – ученик",
            Form::TeacherStudent => "учитель – ученик",
            Form::TeacherTeacher => "учитель – учитель",
            Form::UniversityStudentStudent => "студент – ученик",
            Form::UniversityStudentUniversityStudent => "студент – студент",
            Form::EmployerStudent => "работодатель – ученик",
            Form::Other(code) => code,
        }
    }
}

impl Form {
    /// The role-model variants the target model lists for this form (a school adds its own).
    pub fn standard_variants(&self) -> &'static [&'static str] {
        match self {
            Form::StudentStudent => &[
                "успевающий – неуспевающий",
                "лидер – пассивный",
                "равный – равному",
                "адаптированный – неадаптированный",
            ],
            Form::TeacherStudent => &[
                "учитель – неуспевающий ученик",
                "учитель – пассивный ученик",
                "учитель – одарённый ученик",
                "учитель – ребёнок с ОВЗ",
            ],
            Form::TeacherTeacher => &[
                "опытный педагог – молодой специалист",
                "наставник-консультант",
                "наставник-предметник",
            ],
            Form::UniversityStudentStudent => &[
                "студент – неуспевающий ученик",
                "студент – одарённый ученик",
            ],
            Form::UniversityStudentUniversityStudent => &["студент старшего курса – первокурсник"],
            Form::EmployerStudent => &["работодатель – ученик (профориентация)"],
            Form::Other(_) => &[],
        }
    }
}

impl fmt::Display for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_kept() {
        for form in Form::STANDARD {
            assert_eq!(Form::from_code(form.code()), form);
        }
        assert_eq!(
            Form::from_code("parent-student"),
            Form::Other("parent-student".into())
        );
        assert_eq!(Form::from_code("parent-student").code(), "parent-student");
    }
}
