//! Fuzz-style property test: random mutations of the real catalogue files never panic the
//! loader or the validator, and every refusal is located inside the file.

use std::path::Path;

use hoso_engine::messages::Lang;
use hoso_engine::procedure::Procedure;
use proptest::prelude::*;

fn catalogue() -> Vec<(String, String)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../procedures");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&folder)
        .expect("procedures/ exists")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "toml")
        })
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable");
            (path.display().to_string(), text)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

/// One edit a careless hand or a broken editor might make.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    InsertText(usize, String),
    DeleteRange(usize, usize),
    ReplaceValue(usize, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let text = prop_oneof![
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("{".to_owned()),
        Just("\"".to_owned()),
        Just("=".to_owned()),
        Just("\n".to_owned()),
        Just("[[steps]]\n".to_owned()),
        Just("[[actions]]\n".to_owned()),
        Just("guard = \"".to_owned()),
        Just("x = 1\n".to_owned()),
        Just("đ".to_owned()),
        "[a-z_ =\"\\[\\]{}0-9.,#\n-]{1,12}",
    ];
    let value = prop_oneof![
        Just("0".to_owned()),
        Just("-1".to_owned()),
        Just("99999999999999999999".to_owned()),
        Just("\"\"".to_owned()),
        Just("true".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
        Just("\"tiep_nhan\"".to_owned()),
        Just("\"so_ban_sao / 0\"".to_owned()),
        Just("\"loop { }\"".to_owned()),
        Just("\"2025-02-30\"".to_owned()),
        "[a-z_]{1,10}",
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), text).prop_map(|(at, text)| Mutation::InsertText(at, text)),
        (any::<usize>(), 1_usize..40).prop_map(|(at, length)| Mutation::DeleteRange(at, length)),
        (any::<usize>(), value).prop_map(|(at, value)| Mutation::ReplaceValue(at, value)),
    ]
}

fn char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let count = lines.len().max(1);
    match mutation {
        Mutation::DeleteLine(at) => {
            if !lines.is_empty() {
                lines.remove(at % count);
            }
        }
        Mutation::DuplicateLine(at) => {
            if let Some(line) = lines.get(at % count).cloned() {
                lines.insert(at % count, line);
            }
        }
        Mutation::SwapLines(a, b) => {
            if !lines.is_empty() {
                lines.swap(a % count, b % count);
            }
        }
        Mutation::InsertText(at, inserted) => {
            let at = char_boundary(text, at % (text.len() + 1));
            return format!("{}{inserted}{}", &text[..at], &text[at..]);
        }
        Mutation::DeleteRange(at, length) => {
            let start = char_boundary(text, at % (text.len() + 1));
            let end = char_boundary(text, start + length);
            return format!("{}{}", &text[..start], &text[end..]);
        }
        Mutation::ReplaceValue(at, value) => {
            let candidates: Vec<usize> = (0..lines.len())
                .filter(|&index| lines[index].contains(" = "))
                .collect();
            if !candidates.is_empty() {
                let index = candidates[at % candidates.len()];
                let key = lines[index]
                    .split(" = ")
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                lines[index] = format!("{key} = {value}");
            }
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_procedure_files_never_panic_and_errors_stay_inside_the_file(
        file in 0_usize..64,
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let files = catalogue();
        let (name, original) = &files[file % files.len()];
        let mut text = original.clone();
        for mutation in &mutations {
            text = apply(&text, mutation);
        }
        if let Err(error) = Procedure::load(name, &text) {
            prop_assert!(!error.diagnostics.is_empty());
            let last_line = text.lines().count() + 1;
            for diagnostic in &error.diagnostics {
                prop_assert!(diagnostic.line >= 1 && diagnostic.line <= last_line, "{}", diagnostic);
                prop_assert!(diagnostic.column >= 1, "{}", diagnostic);
                for lang in [Lang::Vi, Lang::En] {
                    prop_assert!(!diagnostic.message(lang).is_empty() && !diagnostic.fix(lang).is_empty(), "{}", diagnostic);
                }
            }
        }
    }
}

#[test]
fn every_catalogue_file_loads_unmutated() {
    for (name, text) in catalogue() {
        if let Err(error) = Procedure::load(&name, &text) {
            panic!("{error}");
        }
    }
}
