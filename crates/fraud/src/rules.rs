//! Rules: TOML files with CEL expressions over an event's features.
//!
//! ```toml
//! [scoring]            # optional, at most once per rule set
//! review_at = 50       # score from which an event is held for review
//! block_at = 90        # score from which it is blocked
//!
//! [[rule]]
//! id = "card_testing_ip"
//! action = "block"     # allow | block | review | score
//! score = 95           # 0-100, added to the event's score when the rule matches
//! when = "ip_cards_10m >= 3 && ip_declines_10m >= 2"
//! reason = { id = "Uji kartu dari satu IP", en = "Card testing from one IP" }
//! doc = "Several cards declined from one IP address within minutes."
//! ```
//!
//! Every expression is compiled and tried once when the set is loaded: a syntax error, an
//! unknown feature name, a type error or an expression that does not yield `true`/`false` is
//! refused with the file, the line and a clear message. An expression that still fails at run
//! time (a division by zero) is reported and skipped by the [`Engine`](crate::Engine).

use crate::event::Event;
use crate::features::{Features, Num};
use crate::names::{Slot, registry};
use cel::common::types::{CelBool, CelDouble, CelInt, CelString};
use cel::common::value::CowVal;
use cel::{Context, Env, ExecutionError, Program, Value};
use serde::Deserialize;
use std::sync::{Arc, OnceLock};
use toml::Spanned;

/// What a matching rule does (Stripe Radar's order: allow, then block, then review).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Allow the event whatever else matches.
    Allow,
    /// Block it.
    Block,
    /// Hold it for review.
    Review,
    /// Only add to the score.
    Score,
}

impl Action {
    /// The name used in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Block => "block",
            Action::Review => "review",
            Action::Score => "score",
        }
    }
}

/// One compiled rule.
pub struct Rule {
    /// Unique id (`[a-z0-9_]`, at most 64).
    pub id: String,
    /// What a match does.
    pub action: Action,
    /// Points added to the score on a match.
    pub score: u8,
    /// The CEL expression.
    pub when: String,
    /// Reason in Bahasa Indonesia.
    pub reason_id: String,
    /// Reason in English.
    pub reason_en: String,
    /// What the rule is for.
    pub doc: String,
    /// File the rule came from.
    pub file: String,
    /// Line of its `id`.
    pub line: usize,
    program: Program,
    /// The same expression translated for direct evaluation, when it is in the subset
    /// [`crate::compiled`] covers.
    fast: Option<crate::compiled::Node>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("action", &self.action)
            .field("when", &self.when)
            .finish()
    }
}

/// A loaded rule set.
#[derive(Debug)]
pub struct RuleSet {
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// Score from which an event is reviewed.
    pub review_at: u8,
    /// Score from which an event is blocked.
    pub block_at: u8,
    /// A short fingerprint of the sources (changes with any edit).
    pub version: String,
}

/// A rule file that cannot be loaded: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct RuleError {
    /// The file name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    scoring: Option<Spanned<ScoringToml>>,
    #[serde(default)]
    rule: Vec<RuleToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoringToml {
    review_at: Option<u8>,
    block_at: Option<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleToml {
    id: Spanned<String>,
    action: Spanned<String>,
    score: Option<Spanned<i64>>,
    when: Spanned<String>,
    reason: Spanned<ReasonToml>,
    doc: Option<String>,
    enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonToml {
    id: String,
    en: String,
}

/// The CEL environment shared by every rule.
pub(crate) fn env() -> &'static Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| Arc::new(Env::stdlib()))
}

/// The shipped default rules (file name, TOML), documented in each file.
pub const DEFAULT_SOURCES: &[(&str, &str)] = &[
    (
        "10-card-testing.toml",
        include_str!("defaults/10-card-testing.toml"),
    ),
    ("20-account.toml", include_str!("defaults/20-account.toml")),
    (
        "30-velocity.toml",
        include_str!("defaults/30-velocity.toml"),
    ),
    ("40-signals.toml", include_str!("defaults/40-signals.toml")),
];

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Resolves rule variables from an event and its features.
pub(crate) struct Vars<'a> {
    pub ev: &'a Event,
    pub f: &'a Features,
}

impl cel::context::VariableResolver for Vars<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        Some(match registry().slot(variable)? {
            Slot::Str(get) => CowVal::owned(CelString::from(get(self.ev))),
            Slot::Num(i) => match self.f.nums[i] {
                Num::I(v) => CowVal::owned(CelInt::from(v)),
                Num::F(v) => CowVal::owned(CelDouble::from(v)),
                Num::B(v) => CowVal::owned(CelBool::from(v)),
            },
        })
    }
}

/// The run-time failure text of errors that are not worded more precisely.
pub(crate) const GENERIC_FAILURE: &str = "the expression could not be evaluated on this event";

impl Rule {
    /// Whether the rule is evaluated directly (not by `cel`'s interpreter).
    pub fn is_compiled(&self) -> bool {
        self.fast.is_some()
    }
}

impl RuleSet {
    /// The entities whose velocity features the rule `id` reads, each with the longest window
    /// it reads (seconds), in entity order; empty for an unknown rule.
    pub fn velocity_windows(&self, id: &str) -> Vec<(crate::keys::Entity, i64)> {
        let mut out: Vec<(crate::keys::Entity, i64)> = Vec::new();
        let Some(r) = self.rules.iter().find(|r| r.id == id) else {
            return out;
        };
        for v in r.program.references().variables() {
            if let Some((e, _, w)) = crate::names::velocity_of(v) {
                match out.iter_mut().find(|(x, _)| *x == e) {
                    Some(x) => x.1 = x.1.max(w),
                    None => out.push((e, w)),
                }
            }
        }
        out.sort();
        out
    }

    /// The velocity features the rules read (the engine computes only those).
    pub fn needs(&self) -> crate::features::Needs {
        let mut n = crate::features::Needs::none();
        for r in &self.rules {
            for v in r.program.references().variables() {
                n.add(v);
            }
        }
        n
    }

    /// Whether any rule needs `cel`'s interpreter (and so a CEL context per event).
    pub(crate) fn needs_interpreter(&self) -> bool {
        self.rules.iter().any(|r| r.fast.is_none())
    }
}

/// The outcome of one rule on one event: directly when the rule was translated, else through
/// `ctx` (built by the caller only when some rule needs it).
pub(crate) fn eval(
    rule: &Rule,
    ev: &Event,
    f: &Features,
    ctx: Option<&Context>,
) -> Result<bool, String> {
    if let Some(n) = &rule.fast {
        return n.test(ev, f).map_err(|e| e.message().to_string());
    }
    let Some(ctx) = ctx else {
        return Err(GENERIC_FAILURE.into());
    };
    interpret(rule, ctx)
}

/// The outcome of one rule on one event through `cel`'s interpreter.
pub(crate) fn interpret(rule: &Rule, ctx: &Context) -> Result<bool, String> {
    match rule.program.execute(ctx) {
        Ok(Value::Bool(b)) => Ok(b),
        Ok(other) => Err(format!(
            "the expression yielded {:?} instead of true or false",
            other.type_of()
        )),
        Err(e) => Err(describe(&e)),
    }
}

/// An evaluation error without the event's values: many of CEL's errors print the values
/// they were given (`'+': "siti@…" and 3`), and this text reaches the server log. Only the
/// kinds of the values, field and function names are kept.
fn describe(e: &ExecutionError) -> String {
    use ExecutionError as E;
    match e {
        E::InvalidArgumentCount { .. }
        | E::UnexpectedType { .. }
        | E::NoSuchKey(_)
        | E::UndeclaredReference(_)
        | E::MissingArgumentOrTarget => e.to_string(),
        E::ValuesNotComparable(a, b) => {
            format!("cannot compare {:?} with {:?}", a.type_of(), b.type_of())
        }
        E::UnsupportedBinaryOperator(op, a, b) => format!(
            "operator {op} does not apply to {:?} and {:?}",
            a.type_of(),
            b.type_of()
        ),
        E::FunctionError { function, .. } => format!("function {function} failed"),
        E::DivisionByZero(_) => "division by zero".into(),
        E::RemainderByZero(_) => "remainder by zero".into(),
        E::Overflow(..) => "arithmetic overflow".into(),
        E::IndexOutOfBounds(_) => "index out of bounds".into(),
        _ => GENERIC_FAILURE.into(),
    }
}

fn tolerated_at_load(e: &ExecutionError) -> bool {
    matches!(
        e,
        ExecutionError::DivisionByZero(_)
            | ExecutionError::RemainderByZero(_)
            | ExecutionError::Overflow(..)
            | ExecutionError::IndexOutOfBounds(_)
    )
}

impl RuleSet {
    /// The shipped default rules.
    pub fn defaults() -> RuleSet {
        Self::from_sources(
            DEFAULT_SOURCES
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string())),
        )
        .expect("the shipped rules load")
    }

    /// Loads a rule set from (file name, TOML text) pairs, e.g. every `*.toml` of a directory
    /// in name order. Refuses the whole set on the first error.
    pub fn from_sources(
        sources: impl IntoIterator<Item = (String, String)>,
    ) -> Result<RuleSet, RuleError> {
        let mut rules: Vec<Rule> = Vec::new();
        let mut scoring: Option<(String, ScoringToml)> = None;
        let mut fingerprint = 0xcbf2_9ce4_8422_2325u64;
        let mut any = false;
        for (file, text) in sources {
            any = true;
            for b in file.bytes().chain(text.bytes()) {
                fingerprint = (fingerprint ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
            let parsed: FileToml = toml::from_str(&text).map_err(|e| RuleError {
                file: file.clone(),
                line: e.span().map_or(1, |s| line_of(&text, s.start)),
                message: e.message().trim().to_string(),
            })?;
            if let Some(s) = parsed.scoring {
                let line = line_of(&text, s.span().start);
                if let Some((other, _)) = &scoring {
                    return Err(RuleError {
                        file,
                        line,
                        message: format!("[scoring] is already set in {other}"),
                    });
                }
                scoring = Some((file.clone(), s.into_inner()));
            }
            for r in parsed.rule {
                if r.enabled == Some(false) {
                    continue;
                }
                let rule = compile_rule(&file, &text, r)?;
                if let Some(prev) = rules.iter().find(|p| p.id == rule.id) {
                    return Err(RuleError {
                        file,
                        line: rule.line,
                        message: format!(
                            "rule id `{}` is already used at {}:{}",
                            rule.id, prev.file, prev.line
                        ),
                    });
                }
                rules.push(rule);
            }
        }
        if !any {
            return Err(RuleError {
                file: "(rules)".into(),
                line: 0,
                message: "no rule files (*.toml) found".into(),
            });
        }
        let (review_at, block_at) = scoring.as_ref().map_or((50, 90), |(_, s)| {
            (s.review_at.unwrap_or(50), s.block_at.unwrap_or(90))
        });
        if review_at == 0 || review_at > block_at || block_at > 100 {
            let file = scoring.map_or_else(|| "(rules)".into(), |(f, _)| f);
            return Err(RuleError {
                file,
                line: 1,
                message: "[scoring] needs 0 < review_at <= block_at <= 100".into(),
            });
        }
        Ok(RuleSet {
            rules,
            review_at,
            block_at,
            version: format!("{fingerprint:016x}"),
        })
    }
}

fn compile_rule(file: &str, text: &str, r: RuleToml) -> Result<Rule, RuleError> {
    let err = |span: std::ops::Range<usize>, message: String| RuleError {
        file: file.to_string(),
        line: line_of(text, span.start),
        message,
    };
    let id_span = r.id.span();
    let id = r.id.into_inner();
    if id.is_empty()
        || id.len() > 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(err(
            id_span,
            "rule id must be 1-64 characters of a-z, 0-9 and _".into(),
        ));
    }
    let action = match r.action.get_ref().as_str() {
        "allow" => Action::Allow,
        "block" => Action::Block,
        "review" => Action::Review,
        "score" => Action::Score,
        _ => {
            return Err(err(
                r.action.span(),
                format!("rule `{id}`: action must be allow, block, review or score"),
            ));
        }
    };
    let score = match &r.score {
        Some(s) if !(0..=100).contains(s.get_ref()) => {
            return Err(err(
                s.span(),
                format!("rule `{id}`: score must be between 0 and 100"),
            ));
        }
        Some(s) => *s.get_ref() as u8,
        None if action == Action::Score => {
            return Err(err(
                id_span,
                format!("rule `{id}`: a score rule needs a score"),
            ));
        }
        None => match action {
            Action::Block => 100,
            Action::Review => 60,
            _ => 0,
        },
    };
    let reason_span = r.reason.span();
    let reason = r.reason.into_inner();
    if reason.id.trim().is_empty() || reason.en.trim().is_empty() {
        return Err(err(
            reason_span,
            format!("rule `{id}`: reason needs both id and en texts"),
        ));
    }
    let when_span = r.when.span();
    let when = r.when.into_inner();
    // The expression's first line: a multi-line string skips the newline after its quotes.
    let raw = &text[when_span.clone()];
    let skip = usize::from(raw.starts_with("'''\n") || raw.starts_with("\"\"\"\n"));
    let when_line = line_of(text, when_span.start) + skip;
    if when.trim().is_empty() {
        return Err(err(when_span, format!("rule `{id}`: `when` is empty")));
    }
    if when.len() > 4_096 {
        return Err(err(
            when_span,
            format!("rule `{id}`: `when` is longer than 4096 bytes"),
        ));
    }
    let at = |line_in_expr: isize, message: String| RuleError {
        file: file.to_string(),
        line: when_line + (line_in_expr.max(1) as usize - 1),
        message,
    };
    let program = env().compile(&when).map_err(|e| {
        let first = e.errors.first();
        let line = first.map_or(1, |p| p.pos.0);
        let msg = first.map_or_else(|| e.to_string(), |p| p.msg.clone());
        at(line, format!("rule `{id}`: syntax error in `when`: {msg}"))
    })?;
    let refs = program.references();
    let mut unknown: Vec<&str> = refs
        .variables()
        .into_iter()
        .filter(|v| !registry().contains(v))
        .collect();
    unknown.sort_unstable();
    if let Some(u) = unknown.first() {
        return Err(at(
            1,
            format!("rule `{id}`: unknown feature `{u}` (`jaga fraud features` lists them)"),
        ));
    }
    drop(refs);
    let fast = crate::compiled::compile(&program.expression().expr);
    let rule = Rule {
        id: id.clone(),
        action,
        score,
        when,
        reason_id: reason.id,
        reason_en: reason.en,
        doc: r.doc.unwrap_or_default(),
        file: file.to_string(),
        line: line_of(text, id_span.start),
        program,
        fast,
    };
    // Trial run on an empty event: catches type errors and non-boolean results now.
    let probe =
        crate::event::parse_event(r#"{"id":"probe","ts":"2026-01-01T00:00:00Z","type":"payment"}"#)
            .expect("probe event");
    let feats = Features::default();
    let vars = Vars {
        ev: &probe,
        f: &feats,
    };
    let mut ctx = Context::with_env(Arc::clone(env()));
    ctx.set_variable_resolver(&vars);
    match rule.program.execute(&ctx) {
        Ok(Value::Bool(_)) => {}
        Ok(other) => {
            return Err(at(
                1,
                format!(
                    "rule `{id}`: `when` must yield true or false, not {:?}",
                    other.type_of()
                ),
            ));
        }
        Err(e) if tolerated_at_load(&e) => {}
        Err(e) => return Err(at(1, format!("rule `{id}`: {e}"))),
    }
    Ok(rule)
}

#[cfg(test)]
mod tests;
