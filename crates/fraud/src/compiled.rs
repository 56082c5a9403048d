//! A direct evaluator for the common subset of CEL rules.
//!
//! `cel`'s interpreter walks the expression tree with boxed values and resolves every variable
//! by name through the context on every evaluation. Rules are almost always comparisons,
//! arithmetic and `&&`/`||` over typed features, so each rule's expression is also translated
//! once, at load, into a small typed tree whose variables are slots of the feature vector (or
//! getters of the event's string fields). A rule whose expression uses anything else (macros,
//! functions, lists other than `x in [literals]`, maps, uint or bytes literals, mixed-type
//! arithmetic) keeps the interpreter.
//!
//! The translation keeps `cel`'s results exactly, errors included: `&&` and `||` absorb an
//! error the other side decides (`error && false` is `false`) and otherwise yield it; integer
//! arithmetic is checked (overflow, division and remainder by zero); an int compares with a
//! double as a double, and a comparison with NaN fails; `==` between an int and a double
//! compares their values. The tests run both evaluators on the same events.

use crate::event::Event;
use crate::features::{Features, Num};
use crate::names::{Kind, Slot, registry};
use cel::common::ast::{Expr, LiteralValue, operators};
use cel::common::types::{CelBool, CelDouble, CelInt, CelString};
use std::cmp::Ordering;

/// A run-time failure, worded as [`crate::rules`] words `cel`'s errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fail {
    DivZero,
    RemZero,
    Overflow,
    /// Anything else (a NaN compared).
    Other,
}

impl Fail {
    pub(crate) fn message(self) -> &'static str {
        match self {
            Fail::DivZero => "division by zero",
            Fail::RemZero => "remainder by zero",
            Fail::Overflow => "arithmetic overflow",
            Fail::Other => crate::rules::GENERIC_FAILURE,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Bool,
    Int,
    Dbl,
    Str,
}

#[derive(Debug, Clone, Copy)]
enum V<'a> {
    B(bool),
    I(i64),
    D(f64),
    S(&'a str),
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// A translated expression.
pub(crate) enum Node {
    Lit(LitV),
    Num(usize),
    Str(fn(&Event) -> &str),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Neg(Box<Node>),
    Cmp(Cmp, Box<Node>, Box<Node>),
    /// `feature <op> literal`, the commonest leaf, without the two boxes.
    CmpSlot(Cmp, usize, LitV),
    Arith(Arith, Box<Node>, Box<Node>),
    Cond(Box<Node>, Box<Node>, Box<Node>),
    In(Box<Node>, Vec<LitV>),
}

/// A literal value.
pub(crate) enum LitV {
    B(bool),
    I(i64),
    D(f64),
    S(Box<str>),
}

impl LitV {
    fn v(&self) -> V<'_> {
        match self {
            LitV::B(b) => V::B(*b),
            LitV::I(i) => V::I(*i),
            LitV::D(d) => V::D(*d),
            LitV::S(s) => V::S(s),
        }
    }
    fn ty(&self) -> Ty {
        match self {
            LitV::B(_) => Ty::Bool,
            LitV::I(_) => Ty::Int,
            LitV::D(_) => Ty::Dbl,
            LitV::S(_) => Ty::Str,
        }
    }
}

fn literal(l: &LiteralValue) -> Option<LitV> {
    Some(match l {
        LiteralValue::Boolean(b) => LitV::B(*CelBool::inner(b)),
        LiteralValue::Int(i) => LitV::I(*CelInt::inner(i)),
        LiteralValue::Double(d) => LitV::D(*CelDouble::inner(d)),
        LiteralValue::String(s) => LitV::S(CelString::inner(s).into()),
        _ => return None,
    })
}

/// Translates a rule's expression; `None` when it uses something outside the subset.
pub(crate) fn compile(e: &Expr) -> Option<Node> {
    let (n, ty) = build(e)?;
    (ty == Ty::Bool).then_some(n)
}

fn numeric(t: Ty) -> bool {
    matches!(t, Ty::Int | Ty::Dbl)
}

fn build(e: &Expr) -> Option<(Node, Ty)> {
    match e {
        Expr::Literal(l) => {
            let l = literal(l)?;
            let t = l.ty();
            Some((Node::Lit(l), t))
        }
        Expr::Ident(name) => {
            let r = registry();
            let i = r.index_of(name)?;
            match r.slots[i] {
                Slot::Str(get) => Some((Node::Str(get), Ty::Str)),
                Slot::Num(slot) => {
                    let t = match r.defs[i].kind {
                        Kind::Int => Ty::Int,
                        Kind::Float => Ty::Dbl,
                        Kind::Bool => Ty::Bool,
                        Kind::Str => return None,
                    };
                    Some((Node::Num(slot), t))
                }
            }
        }
        Expr::Call(call) if call.target.is_none() => {
            let a = &call.args;
            let f = call.func_name.as_str();
            match (f, a.len()) {
                (operators::LOGICAL_AND | operators::LOGICAL_OR, 2) => {
                    let (l, lt) = build(&a[0].expr)?;
                    let (r, rt) = build(&a[1].expr)?;
                    if lt != Ty::Bool || rt != Ty::Bool {
                        return None;
                    }
                    let (l, r) = (Box::new(l), Box::new(r));
                    let n = if f == operators::LOGICAL_AND {
                        Node::And(l, r)
                    } else {
                        Node::Or(l, r)
                    };
                    Some((n, Ty::Bool))
                }
                (operators::LOGICAL_NOT, 1) => {
                    let (x, t) = build(&a[0].expr)?;
                    (t == Ty::Bool).then(|| (Node::Not(Box::new(x)), Ty::Bool))
                }
                (operators::NEGATE, 1) => {
                    let (x, t) = build(&a[0].expr)?;
                    numeric(t).then(|| (Node::Neg(Box::new(x)), t))
                }
                (operators::CONDITIONAL, 3) => {
                    let (c, ct) = build(&a[0].expr)?;
                    let (x, xt) = build(&a[1].expr)?;
                    let (y, yt) = build(&a[2].expr)?;
                    (ct == Ty::Bool && xt == yt)
                        .then(|| (Node::Cond(Box::new(c), Box::new(x), Box::new(y)), xt))
                }
                (
                    operators::LESS
                    | operators::LESS_EQUALS
                    | operators::GREATER
                    | operators::GREATER_EQUALS
                    | operators::EQUALS
                    | operators::NOT_EQUALS,
                    2,
                ) => {
                    let (l, lt) = build(&a[0].expr)?;
                    let (r, rt) = build(&a[1].expr)?;
                    if !(lt == rt || numeric(lt) && numeric(rt)) {
                        return None;
                    }
                    let op = match f {
                        operators::LESS => Cmp::Lt,
                        operators::LESS_EQUALS => Cmp::Le,
                        operators::GREATER => Cmp::Gt,
                        operators::GREATER_EQUALS => Cmp::Ge,
                        operators::EQUALS => Cmp::Eq,
                        _ => Cmp::Ne,
                    };
                    let n = match (l, r) {
                        (Node::Num(i), Node::Lit(lit)) => Node::CmpSlot(op, i, lit),
                        (l, r) => Node::Cmp(op, Box::new(l), Box::new(r)),
                    };
                    Some((n, Ty::Bool))
                }
                (
                    operators::ADD
                    | operators::SUBSTRACT
                    | operators::MULTIPLY
                    | operators::DIVIDE
                    | operators::MODULO,
                    2,
                ) => {
                    let (l, lt) = build(&a[0].expr)?;
                    let (r, rt) = build(&a[1].expr)?;
                    // Only int with int and double with double (what `cel` supports; its
                    // doubles have no remainder).
                    let ok = lt == rt && (lt == Ty::Int || lt == Ty::Dbl && f != operators::MODULO);
                    if !ok {
                        return None;
                    }
                    let op = match f {
                        operators::ADD => Arith::Add,
                        operators::SUBSTRACT => Arith::Sub,
                        operators::MULTIPLY => Arith::Mul,
                        operators::DIVIDE => Arith::Div,
                        _ => Arith::Rem,
                    };
                    Some((Node::Arith(op, Box::new(l), Box::new(r)), lt))
                }
                (operators::IN, 2) => {
                    let (x, xt) = build(&a[0].expr)?;
                    let Expr::List(list) = &a[1].expr else {
                        return None;
                    };
                    let mut items = Vec::with_capacity(list.elements.len());
                    for el in &list.elements {
                        let Expr::Literal(l) = &el.expr else {
                            return None;
                        };
                        let l = literal(l)?;
                        // Same type only (a mixed int/double list keeps the interpreter).
                        if l.ty() != xt {
                            return None;
                        }
                        items.push(l);
                    }
                    if !list.optional_indices.is_empty() {
                        return None;
                    }
                    Some((Node::In(Box::new(x), items), Ty::Bool))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn as_f64(v: V<'_>) -> f64 {
    match v {
        V::I(i) => i as f64,
        V::D(d) => d,
        _ => f64::NAN,
    }
}

fn order(l: V<'_>, r: V<'_>) -> Result<Ordering, Fail> {
    match (l, r) {
        (V::I(a), V::I(b)) => Ok(a.cmp(&b)),
        (V::S(a), V::S(b)) => Ok(a.cmp(b)),
        (V::B(a), V::B(b)) => Ok(a.cmp(&b)),
        (a, b) => as_f64(a).partial_cmp(&as_f64(b)).ok_or(Fail::Other),
    }
}

fn equal(l: V<'_>, r: V<'_>) -> bool {
    order(l, r).is_ok_and(|o| o == Ordering::Equal)
}

fn slot(f: &Features, i: usize) -> V<'static> {
    match f.nums[i] {
        Num::I(v) => V::I(v),
        Num::F(v) => V::D(v),
        Num::B(v) => V::B(v),
    }
}

#[inline]
fn compare(op: Cmp, a: V<'_>, b: V<'_>) -> Result<bool, Fail> {
    Ok(match op {
        Cmp::Eq => equal(a, b),
        Cmp::Ne => !equal(a, b),
        Cmp::Lt => order(a, b)? == Ordering::Less,
        Cmp::Le => order(a, b)? != Ordering::Greater,
        Cmp::Gt => order(a, b)? == Ordering::Greater,
        Cmp::Ge => order(a, b)? != Ordering::Less,
    })
}

fn truth(v: Result<V<'_>, Fail>) -> Result<bool, Fail> {
    match v? {
        V::B(b) => Ok(b),
        _ => Err(Fail::Other),
    }
}

impl Node {
    /// Evaluates the expression; it yields a boolean (checked at translation).
    pub(crate) fn test(&self, ev: &Event, f: &Features) -> Result<bool, Fail> {
        truth(self.eval(ev, f))
    }

    fn eval<'a>(&'a self, ev: &'a Event, f: &Features) -> Result<V<'a>, Fail> {
        Ok(match self {
            Node::Lit(l) => l.v(),
            Node::Num(i) => slot(f, *i),
            Node::Str(get) => V::S(get(ev)),
            Node::And(l, r) => {
                let left = truth(l.eval(ev, f));
                if left == Ok(false) {
                    return Ok(V::B(false));
                }
                let right = truth(r.eval(ev, f))?;
                match (left, right) {
                    (Ok(true), r) => V::B(r),
                    (Err(_), false) => V::B(false),
                    (Err(e), true) => return Err(e),
                    (Ok(false), _) => unreachable!("handled above"),
                }
            }
            Node::Or(l, r) => {
                let left = truth(l.eval(ev, f));
                if left == Ok(true) {
                    return Ok(V::B(true));
                }
                let right = truth(r.eval(ev, f))?;
                match (left, right) {
                    (Ok(false), r) => V::B(r),
                    (Err(_), true) => V::B(true),
                    (Err(e), false) => return Err(e),
                    (Ok(true), _) => unreachable!("handled above"),
                }
            }
            Node::Not(x) => V::B(!truth(x.eval(ev, f))?),
            Node::Neg(x) => match x.eval(ev, f)? {
                V::I(i) => V::I(i.checked_neg().ok_or(Fail::Overflow)?),
                V::D(d) => V::D(-d),
                _ => return Err(Fail::Other),
            },
            Node::Cond(c, x, y) => {
                if truth(c.eval(ev, f))? {
                    x.eval(ev, f)?
                } else {
                    y.eval(ev, f)?
                }
            }
            Node::Cmp(op, l, r) => V::B(compare(*op, l.eval(ev, f)?, r.eval(ev, f)?)?),
            Node::CmpSlot(op, i, lit) => V::B(compare(*op, slot(f, *i), lit.v())?),
            Node::Arith(op, l, r) => {
                let a = l.eval(ev, f)?;
                let b = r.eval(ev, f)?;
                match (a, b) {
                    (V::I(a), V::I(b)) => V::I(match op {
                        Arith::Add => a.checked_add(b).ok_or(Fail::Overflow)?,
                        Arith::Sub => a.checked_sub(b).ok_or(Fail::Overflow)?,
                        Arith::Mul => a.checked_mul(b).ok_or(Fail::Overflow)?,
                        Arith::Div if b == 0 => return Err(Fail::DivZero),
                        Arith::Div => a.checked_div(b).ok_or(Fail::Overflow)?,
                        Arith::Rem if b == 0 => return Err(Fail::RemZero),
                        Arith::Rem => a.checked_rem(b).ok_or(Fail::Overflow)?,
                    }),
                    (V::D(a), V::D(b)) => V::D(match op {
                        Arith::Add => a + b,
                        Arith::Sub => a - b,
                        Arith::Mul => a * b,
                        Arith::Div => a / b,
                        Arith::Rem => return Err(Fail::Other),
                    }),
                    _ => return Err(Fail::Other),
                }
            }
            Node::In(x, items) => {
                let v = x.eval(ev, f)?;
                V::B(items.iter().any(|l| equal(v, l.v())))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::features::{FeatureStore, Features};
    use crate::keys::{EventKeys, RandomKeyer};
    use crate::rules::{RuleSet, Vars, env, interpret};
    use crate::simulate::{Params, Shape, generate};
    use cel::Context;
    use std::sync::Arc;

    fn both(set: &RuleSet, ev: &crate::Event, f: &Features) {
        let vars = Vars { ev, f };
        let mut ctx = Context::with_env(Arc::clone(env()));
        ctx.set_variable_resolver(&vars);
        for r in &set.rules {
            let slow = interpret(r, &ctx);
            let fast = super::super::rules::eval(r, ev, f, Some(&ctx));
            assert_eq!(slow, fast, "rule {} ({}) on {}", r.id, r.when, ev.id);
        }
    }

    fn rules(exprs: &[&str]) -> RuleSet {
        let mut t = String::new();
        for (i, w) in exprs.iter().enumerate() {
            t.push_str(&format!(
                "[[rule]]\nid = \"r{i}\"\naction = \"score\"\nscore = 1\nwhen = '''{w}'''\nreason = {{ id = \"x\", en = \"x\" }}\n"
            ));
        }
        RuleSet::from_sources([("t.toml".to_string(), t)]).unwrap()
    }

    const EDGE: &[&str] = &[
        "amount / (card_count_10m - 1) > 5",
        "amount % (card_count_10m - 1) == 0",
        "card_count_10m / 0 > 1 && false",
        "false && card_count_10m / 0 > 1",
        "card_count_10m / 0 > 1 || true",
        "card_count_10m / 0 > 1 || false",
        "true && card_count_10m / 0 > 1",
        "card_count_10m % 0 > 1 && card_count_10m / 0 > 1",
        "9223372036854775807 + card_count_10m > 0",
        "-9223372036854775807 - card_count_10m - 1 < 0",
        "-(-9223372036854775807 - card_count_10m) > 0",
        "(amount_shop_z + 1.0) / 0.0 > 1.0",
        "has_card ? (amount_shop_z * 0.0) / 0.0 > 1.0 : false",
        "has_card && (amount_shop_z * 0.0) / 0.0 < 1.0 || has_card",
        "(account_age_hours * 0.0) / 0.0 == 1",
        "(account_age_hours * 0.0) / 0.0 != 1",
        "amount == 1000.0 || amount_major == 10 || card_count_10m == 1.0",
        "event_type in ['order', 'payment'] && currency != 'USD'",
        "card_count_1h in [1, 2, 3]",
        "!(has_card) ? amount > 5 : amount < 5",
        "card_bin >= '4' && card_bin < '5'",
        "declined == true || small_amount != false",
        "hour_wib >= 1 && hour_wib < 5 && amount_major * 2.0 > 100.0",
        "size(card_bin) > 3",
        "card_bin.startsWith('4') || amount > 3 == false",
        "int(amount_major) > 100 || double(card_count_10m) > 2.5",
        "amount_vs_customer_avg >= 3 && customer_orders_before >= 1",
    ];

    #[test]
    fn the_translation_agrees_with_the_interpreter() {
        let mut sets = vec![RuleSet::defaults(), rules(EDGE)];
        let base = crate::rules::DEFAULT_SOURCES
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()));
        sets.push(RuleSet::from_sources(base).unwrap());
        let d = &sets[0];
        assert!(
            d.rules.iter().all(|r| r.is_compiled()),
            "the shipped rules are translated"
        );
        let e = &sets[1];
        let interpreted: Vec<&str> = e
            .rules
            .iter()
            .filter(|r| !r.is_compiled())
            .map(|r| r.when.as_str())
            .collect();
        assert_eq!(interpreted.len(), 3, "{interpreted:?}");
        for shape in [Shape::Shop, Shape::Guest] {
            let mut p = Params::new(7);
            p.events = 4_000;
            p.shape = shape;
            let keyer = RandomKeyer::new();
            let mut store = FeatureStore::new();
            let mut f = Features::default();
            for ev in generate(&p) {
                let keys = EventKeys::derive(&ev, &keyer);
                store.observe(&ev, &keys, &mut f);
                for set in &sets {
                    both(set, &ev, &f);
                }
            }
        }
    }
}
