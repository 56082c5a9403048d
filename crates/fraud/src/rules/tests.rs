//! Rule loading: errors with file and line, run-time errors without values, the defaults.

use super::*;

fn load(text: &str) -> Result<RuleSet, RuleError> {
    RuleSet::from_sources([("r.toml".to_string(), text.to_string())])
}

#[test]
fn run_time_errors_carry_no_event_value() {
    let secret = Value::String(std::sync::Arc::new("siti.rahma@gmail.com".to_string()));
    for e in [
        ExecutionError::UnsupportedBinaryOperator("+", secret.clone(), Value::Int(3)),
        ExecutionError::ValuesNotComparable(secret.clone(), Value::Int(3)),
        ExecutionError::FunctionError {
            function: "size".into(),
            message: "siti.rahma@gmail.com".into(),
        },
    ] {
        assert!(
            e.to_string().contains("siti"),
            "CEL itself prints the value"
        );
        let d = describe(&e);
        assert!(!d.contains("siti") && !d.contains("gmail"), "{d}");
    }
}

#[test]
fn defaults_load() {
    let d = RuleSet::defaults();
    assert!(d.rules.len() >= 15, "{}", d.rules.len());
    assert!(
        d.rules.iter().all(|r| !r.doc.is_empty()),
        "every default rule is documented"
    );
}

#[test]
fn errors_name_file_and_line() {
    let e = load("[[rule]]\nid = \"a\"\naction = \"block\"\nwhen = \"amount >\"\nreason = { id = \"x\", en = \"y\" }\n")
        .unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("r.toml", 4), "{e}");
    assert!(e.message.contains("syntax error"), "{e}");
    let e = load("[[rule]]\nid = \"a\"\naction = \"block\"\nwhen = \"amout > 5\"\nreason = { id = \"x\", en = \"y\" }\n")
        .unwrap_err();
    assert_eq!(e.line, 4);
    assert!(e.message.contains("unknown feature `amout`"), "{e}");
    let e = load("[[rule]]\nid = \"a\"\naction = \"block\"\nwhen = \"amount + 1\"\nreason = { id = \"x\", en = \"y\" }\n")
        .unwrap_err();
    assert!(e.message.contains("true or false"), "{e}");
    let e = load("[[rule]]\nid = \"a\"\naction = \"block\"\nwhen = \"amount > 'x'\"\nreason = { id = \"x\", en = \"y\" }\n")
        .unwrap_err();
    assert_eq!(e.line, 4, "{e}");
    let e = load("[[rule]]\nid = \"a\"\naction = \"maybe\"\nwhen = \"true\"\nreason = { id = \"x\", en = \"y\" }\n")
        .unwrap_err();
    assert_eq!(e.line, 3, "{e}");
    let e = load("[[rule]]\nid = \"a\"\naction = \"block\"\nwhen = \"true\"\nreason = { id = \"x\", en = \"y\" }\nfoo = 1\n")
        .unwrap_err();
    assert!(e.message.contains("foo"), "{e}");
    let e = load("[[rule]\nid = \"a\"\n").unwrap_err();
    assert_eq!(e.line, 1, "{e}");
    let two = "[[rule]]\nid = \"a\"\naction = \"block\"\nwhen = \"true\"\nreason = { id = \"x\", en = \"y\" }\n";
    let e = load(&format!("{two}{two}")).unwrap_err();
    assert_eq!(e.line, 7, "{e}");
    assert!(e.message.contains("already used"), "{e}");
    let e = load("[[rule]]\nid = \"a\"\naction = \"block\"\nwhen = '''\namount > 1 &&\n  nope\n'''\nreason = { id = \"x\", en = \"y\" }\n")
        .unwrap_err();
    assert!(e.message.contains("nope"), "{e}");
}

#[test]
fn division_by_zero_is_tolerated_at_load() {
    let r = load("[[rule]]\nid = \"a\"\naction = \"review\"\nwhen = \"card_sum_1h / card_count_10m > 5\"\nreason = { id = \"x\", en = \"y\" }\n")
        .unwrap();
    assert_eq!(r.rules[0].score, 60);
}
