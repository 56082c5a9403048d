//! The export as a letter to the customer: blocks in the reader's language (the access rows
//! from [`crate::letter::Letter`]), written as Markdown, HTML or plain text for the PDF.

use super::CustomerExport;
use crate::letter::{Letter, Shop, field_label};
use crate::model::Address;
use crate::report::CustomerReport;
use jaga_i18n::{Lang, M, Tr};

/// A part of the letter.
pub(super) enum Block {
    Heading(String),
    Para(String),
    Pairs(Vec<(String, String)>),
    Table(Vec<String>, Vec<Vec<String>>),
}

fn text_of(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "-".into())
}

fn address_text(a: &Address) -> String {
    [&a.street, &a.city, &a.province, &a.postal_code]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

fn label(m: M, tr: Tr) -> String {
    tr.t(m).to_string()
}

/// The letter's blocks, in the reader's language.
pub(super) fn blocks(x: &CustomerExport, shop: &Shop, lang: Lang) -> (Letter, Vec<Block>) {
    let tr = Tr(lang);
    let zone = &shop.zone;
    let when = |t: &str| zone.datetime(t);
    let report = CustomerReport {
        customer_code: x.customer.code.clone(),
        customer_id: x.customer.id.to_string(),
        generated_at: x.generated_at.clone(),
        accesses: x.accesses.clone(),
    };
    let access = Letter::new(&report, shop, lang);
    let none = || Block::Para(label(M::ExportNone, tr));
    let c = &x.customer;
    let cap = |f: &str| {
        let l = field_label(f, tr);
        let mut cs = l.chars();
        cs.next()
            .map(|h| h.to_uppercase().chain(cs).collect())
            .unwrap_or(l)
    };
    let mut out = vec![
        Block::Para(tr.f(M::ExportSubject, &[("code", &c.code)])),
        Block::Para(label(M::ExportOpening, tr)),
        Block::Heading(label(M::ExportHeadData, tr)),
        Block::Pairs(vec![
            (label(M::FieldCode, tr), c.code.clone()),
            (cap("full_name"), text_of(&c.full_name)),
            (cap("email"), text_of(&c.email)),
            (cap("phone"), text_of(&c.phone)),
            (
                cap("address"),
                c.address
                    .as_ref()
                    .map(address_text)
                    .unwrap_or_else(|| "-".into()),
            ),
            (cap("national_id"), text_of(&c.national_id)),
            (cap("birth_date"), text_of(&c.birth_date)),
            (
                label(M::ExportPreferences, tr),
                c.preferences
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "-".into()),
            ),
            (label(M::ExportNotes, tr), text_of(&c.notes)),
            (
                label(M::FieldConsent, tr),
                label(
                    if c.marketing_consent {
                        M::ExportYes
                    } else {
                        M::ExportWithdrawn
                    },
                    tr,
                ),
            ),
            (label(M::FieldSegment, tr), c.segment.clone()),
            (label(M::FieldCreated, tr), when(&c.created_at)),
            (label(M::ExportUpdated, tr), when(&c.updated_at)),
        ]),
        Block::Heading(label(M::ExportHeadOrders, tr)),
    ];
    if x.orders.is_empty() {
        out.push(none());
    } else {
        let cols = [
            M::ExportColOrder,
            M::ExportColDate,
            M::ExportColItems,
            M::ExportColAmount,
            M::ExportColStatus,
            M::ExportColPayment,
            M::ExportNotes,
        ];
        let rows = x
            .orders
            .iter()
            .map(|o| {
                vec![
                    o.order_ref.clone(),
                    when(&o.created_at),
                    o.items
                        .iter()
                        .map(|i| format!("{} × {}", i.quantity, i.name))
                        .collect::<Vec<_>>()
                        .join("; "),
                    jaga_i18n::format::money(o.amount_minor, &o.currency, lang),
                    o.status.clone(),
                    o.payment
                        .as_ref()
                        .map(|p| {
                            let card = match (&p.card_brand, &p.last4) {
                                (Some(b), Some(l)) => format!(" {b} …{l}"),
                                (None, Some(l)) => format!(" …{l}"),
                                _ => String::new(),
                            };
                            format!("{} {}{card}", p.gateway, p.token)
                        })
                        .unwrap_or_else(|| "-".into()),
                    text_of(&o.notes),
                ]
            })
            .collect();
        out.push(Block::Table(
            cols.iter().map(|m| label(*m, tr)).collect(),
            rows,
        ));
    }
    out.push(Block::Heading(label(M::ExportHeadConsents, tr)));
    if x.consents.is_empty() {
        out.push(none());
    } else {
        let rows = x
            .consents
            .iter()
            .map(|r| {
                vec![
                    when(&r.at),
                    r.purpose.clone(),
                    label(
                        if r.granted {
                            M::ExportYes
                        } else {
                            M::ExportWithdrawn
                        },
                        tr,
                    ),
                    r.source.clone(),
                ]
            })
            .collect();
        out.push(Block::Table(
            [
                M::ExportColDate,
                M::ExportColPurpose,
                M::ExportColGiven,
                M::ExportColSource,
            ]
            .iter()
            .map(|m| label(*m, tr))
            .collect(),
            rows,
        ));
    }
    out.push(Block::Heading(label(M::ExportHeadTokens, tr)));
    if x.tokens.is_empty() {
        out.push(none());
    } else {
        let rows = x
            .tokens
            .iter()
            .map(|t| {
                vec![
                    t.token.clone(),
                    t.kind.clone(),
                    t.value.clone(),
                    when(&t.created_at),
                ]
            })
            .collect();
        out.push(Block::Table(
            vec![
                "Token".into(),
                label(M::ExportColKind, tr),
                label(M::ExportColValue, tr),
                label(M::ExportColDate, tr),
            ],
            rows,
        ));
    }
    out.push(Block::Heading(label(M::ExportHeadRequests, tr)));
    if x.requests.is_empty() {
        out.push(none());
    } else {
        let rows = x
            .requests
            .iter()
            .map(|r| {
                vec![
                    r.kind.clone(),
                    r.channel.clone(),
                    when(&r.received_at),
                    when(&r.due_at),
                    r.status.clone(),
                    r.closed_at
                        .as_deref()
                        .map(when)
                        .unwrap_or_else(|| "-".into()),
                    text_of(&r.outcome),
                ]
            })
            .collect();
        out.push(Block::Table(
            [
                M::ExportColKind,
                M::ExportColSource,
                M::ExportColReceived,
                M::ExportColDue,
                M::ExportColStatus,
                M::ExportColClosed,
                M::LetterColOutcome,
            ]
            .iter()
            .map(|m| label(*m, tr))
            .collect(),
            rows,
        ));
    }
    out.push(Block::Heading(label(M::ExportHeadAccesses, tr)));
    out.push(Block::Para(access.count.clone()));
    if access.rows.is_empty() {
        out.push(Block::Para(label(M::LetterNone, tr)));
    } else {
        let rows = access
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.seq.clone(),
                    r.time.clone(),
                    r.by.clone(),
                    r.action.clone(),
                    r.data.clone(),
                    r.purpose.clone(),
                    r.outcome.clone(),
                ]
            })
            .collect();
        out.push(Block::Table(access.columns.to_vec(), rows));
        out.push(Block::Para(access.times_note.clone()));
    }
    out.push(Block::Para(label(M::ExportClosing, tr)));
    out.push(Block::Para(access.shop.clone()));
    (access, out)
}

/// One line: newlines and tabs become spaces (a value cannot break the layout).
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Markdown text with every punctuation character that could mean markup escaped.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn markdown(letter: &Letter, blocks: &[Block]) -> String {
    let mut s = format!("# {}\n\n{}\n\n", md_escape(&letter.shop), letter.date);
    for b in blocks {
        match b {
            Block::Heading(h) => s.push_str(&format!("## {}\n\n", md_escape(h))),
            Block::Para(p) => {
                for line in p.split('\n') {
                    s.push_str(&md_escape(line));
                    s.push_str("  \n");
                }
                s.push('\n');
            }
            Block::Pairs(ps) => {
                for (k, v) in ps {
                    s.push_str(&format!("- **{}**: {}\n", md_escape(k), md_escape(v)));
                }
                s.push('\n');
            }
            Block::Table(cols, rows) => {
                let row = |cells: &[String]| {
                    format!(
                        "| {} |\n",
                        cells
                            .iter()
                            .map(|c| md_escape(c))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    )
                };
                s.push_str(&row(cols.as_slice()));
                s.push_str(&format!("|{}\n", " --- |".repeat(cols.len())));
                for r in rows {
                    s.push_str(&row(r.as_slice()));
                }
                s.push('\n');
            }
        }
    }
    s
}

pub(super) fn html(letter: &Letter, blocks: &[Block]) -> String {
    let lang = match letter.lang {
        Lang::Id => "id",
        Lang::En => "en",
    };
    let mut s = format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{} - {}</title>\
         <style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}\
         table{{border-collapse:collapse;margin-bottom:1rem}}th,td{{border:1px solid #999;\
         padding:.25rem .5rem;text-align:left;vertical-align:top}}dt{{font-weight:bold}}\
         </style></head><body>\n<p>{}<br>{}</p>\n",
        html_escape(&letter.shop),
        html_escape(&letter.subject),
        html_escape(&letter.shop),
        html_escape(&letter.date)
    );
    for b in blocks {
        match b {
            Block::Heading(h) => s.push_str(&format!("<h2>{}</h2>\n", html_escape(h))),
            Block::Para(p) => {
                for part in p.split("\n\n") {
                    s.push_str(&format!(
                        "<p>{}</p>\n",
                        html_escape(part).replace('\n', "<br>")
                    ));
                }
            }
            Block::Pairs(ps) => {
                s.push_str("<dl>\n");
                for (k, v) in ps {
                    s.push_str(&format!(
                        "<dt>{}</dt><dd>{}</dd>\n",
                        html_escape(k),
                        html_escape(v)
                    ));
                }
                s.push_str("</dl>\n");
            }
            Block::Table(cols, rows) => {
                s.push_str("<table><thead><tr>");
                for c in cols {
                    s.push_str(&format!("<th>{}</th>", html_escape(c)));
                }
                s.push_str("</tr></thead><tbody>\n");
                for r in rows {
                    s.push_str("<tr>");
                    for c in r {
                        s.push_str(&format!("<td>{}</td>", html_escape(c)));
                    }
                    s.push_str("</tr>\n");
                }
                s.push_str("</tbody></table>\n");
            }
        }
    }
    s.push_str("</body></html>\n");
    s
}

/// Plain text with aligned columns (for the PDF).
pub(super) fn plain(letter: &Letter, blocks: &[Block]) -> String {
    let mut s = format!("{}\n{}\n\n", letter.shop, letter.date);
    for b in blocks {
        match b {
            Block::Heading(h) => s.push_str(&format!("{h}\n{}\n\n", "=".repeat(h.chars().count()))),
            Block::Para(p) => s.push_str(&format!("{p}\n\n")),
            Block::Pairs(ps) => {
                let w = ps.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
                for (k, v) in ps {
                    let pad = " ".repeat(w - k.chars().count());
                    s.push_str(&format!("{k}:{pad} {}\n", one_line(v)));
                }
                s.push('\n');
            }
            Block::Table(cols, rows) => {
                let mut widths: Vec<usize> = cols.iter().map(|c| c.chars().count()).collect();
                for r in rows {
                    for (w, c) in widths.iter_mut().zip(r) {
                        *w = (*w).max(one_line(c).chars().count());
                    }
                }
                let line = |cells: &[String]| {
                    let mut l = String::new();
                    for (i, c) in cells.iter().enumerate() {
                        let c = one_line(c);
                        l.push_str(&c);
                        if i + 1 < cells.len() {
                            l.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
                        }
                    }
                    l.trim_end().to_string() + "\n"
                };
                s.push_str(&line(cols.as_slice()));
                for r in rows {
                    s.push_str(&line(r.as_slice()));
                }
                s.push('\n');
            }
        }
    }
    s
}
