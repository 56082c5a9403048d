//! JSONL: `{"id": …, "text": …}` in, `{"id": …, "text": …, "findings": […]}` out.

use std::io::{BufRead, Write};

use serde::Serialize;
use serde_json::Value;

use super::Cx;
use super::lines::{Input, LineEnd, check_text};
use crate::error::RedactError;
use crate::kind::EntityKind;

#[derive(Serialize)]
struct OutFinding {
    kind: EntityKind,
    start: usize,
    end: usize,
    score: f32,
}

#[derive(Serialize)]
struct OutLine<'a> {
    id: &'a Value,
    text: &'a str,
    findings: Vec<OutFinding>,
}

fn json_reason(e: &serde_json::Error) -> String {
    // serde_json's messages for `Value` parsing are about syntax; still, only the category and
    // column are reported so no input text can leak into logs.
    let what = match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Eof => "unexpected end of line",
    };
    format!("{what} at column {}", e.column())
}

pub(crate) fn run<R: BufRead, W: Write>(
    input: &mut Input<R>,
    w: &mut W,
    cx: &mut Cx<'_>,
) -> Result<(), RedactError> {
    let limit = cx.options.max_record_bytes;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let line = input.line();
        match input.read_line(&mut buf, limit)? {
            LineEnd::Eof => return Ok(()),
            LineEnd::Limit => return Err(RedactError::RecordTooLong { line, limit }),
            LineEnd::Line => {}
        }
        let text = check_text(&buf, line)?;
        let trimmed = text.trim();
        if trimmed.is_empty() {
            w.write_all(text.as_bytes())?;
            continue;
        }
        let value: Value = serde_json::from_str(trimmed).map_err(|e| RedactError::Jsonl {
            line,
            reason: json_reason(&e),
        })?;
        let Value::Object(obj) = &value else {
            return Err(RedactError::Jsonl {
                line,
                reason: "line is not a JSON object".into(),
            });
        };
        let Some(Value::String(t)) = obj.get("text") else {
            return Err(RedactError::Jsonl {
                line,
                reason: "missing string field \"text\"".into(),
            });
        };
        let r = crate::redact(t, cx.policy)?;
        cx.stats.add(&r.findings);
        let out = OutLine {
            id: obj.get("id").unwrap_or(&Value::Null),
            text: &r.text,
            findings: r
                .findings
                .iter()
                .map(|f| OutFinding {
                    kind: f.kind,
                    start: f.start,
                    end: f.end,
                    score: (f.score * 100.0).round() / 100.0,
                })
                .collect(),
        };
        serde_json::to_writer(&mut *w, &out).map_err(std::io::Error::other)?;
        w.write_all(b"\n")?;
        cx.stats.records += 1;
        (cx.progress)(input.bytes());
    }
}
