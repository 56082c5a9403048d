//! `jaga fraud`: score, backtest and simulate transaction events offline, with the same
//! feature and rule code the server uses. Works without the vault (no key needed): e-mail
//! addresses, phones and IPs are keyed with a random per-run key and never leave memory.

use anyhow::{Context, Result, anyhow, bail};
use jaga_fraud::backtest::{self, Report, Tally};
use jaga_fraud::simulate::{self, Params, Shape};
use jaga_fraud::{Engine, Event, RandomKeyer, RuleSet, event};
use jaga_i18n::Lang;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::sync_channel;

/// `jaga fraud …`
#[derive(clap::Subcommand)]
pub enum FraudCmd {
    /// Replay events in time order and print one decision per event.
    Score {
        /// Events, one JSON object per line.
        #[arg(long)]
        events: PathBuf,
        /// Rule directory (every *.toml, in name order). Default: the shipped rules.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Print one JSON object per line: {"id", "decision", "score", "reasons"}.
        #[arg(long)]
        jsonl: bool,
        /// Language of the reasons: id or en.
        #[arg(long, default_value = "id")]
        lang: String,
    },
    /// Replay labelled events through a rule set (and a second one to compare with).
    Backtest {
        /// Events, one JSON object per line.
        #[arg(long)]
        events: PathBuf,
        /// Labels, one {"id", "fraud": true|false} per line (a file written by `jaga fraud
        /// simulate` works too: its events carry their labels).
        #[arg(long)]
        labels: PathBuf,
        /// Candidate rule directory. Default: the shipped rules.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Baseline rule directory to compare with.
        #[arg(long)]
        against: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a seeded, labelled synthetic event stream to stdout (JSON lines, time order).
    ///
    /// Labels: every line is an event with an extra member "label": {"fraud": true|false,
    /// "scenario": "..."}. `jaga fraud score` ignores it and `jaga fraud backtest --labels`
    /// reads it, so one file serves as both --events and --labels. With --labels FILE the
    /// labels go to FILE as {"id", "fraud", "scenario"} lines and stdout has plain events.
    Simulate {
        /// Seed: the same seed gives the same stream.
        #[arg(long)]
        seed: u64,
        /// Approximate number of events.
        #[arg(long, default_value_t = 20_000)]
        count: usize,
        /// Days covered.
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// Generator: shop (registered customers, orders and payments, minor units) or guest
        /// (guest checkouts, payments only, whole rupiah, rotating card testers).
        #[arg(long, default_value = "shop")]
        shape: String,
        /// Write labels to this file instead of into each event.
        #[arg(long)]
        labels: Option<PathBuf>,
    },
    /// Write the events the server scored and their labels (chargebacks, early fraud warnings,
    /// review decisions) to files `jaga fraud backtest` reads.
    Export {
        /// Events file to create (JSON lines, as stored: contact data as keyed hashes).
        #[arg(long)]
        events: PathBuf,
        /// Labels file to create ({"id", "fraud", "kind"} lines).
        #[arg(long)]
        labels: PathBuf,
    },
    /// List every feature a rule can use, with its type and meaning.
    Features,
    /// Check a rule directory (file and line of the first error), or write the shipped rules
    /// to a directory to start from.
    Rules {
        /// Directory to check.
        #[arg(long, conflicts_with = "export")]
        check: Option<PathBuf>,
        /// Directory to write the shipped default rules to (must not exist yet).
        #[arg(long)]
        export: Option<PathBuf>,
    },
}

/// Runs `jaga fraud …`.
pub fn run(cmd: FraudCmd) -> Result<ExitCode> {
    match cmd {
        FraudCmd::Score {
            events,
            rules,
            jsonl,
            lang,
        } => {
            let lang = Lang::parse(&lang).ok_or_else(|| anyhow!("--lang takes id or en"))?;
            score(&events, rules.as_deref(), jsonl, lang)?;
        }
        FraudCmd::Export { .. } => bail!("jaga fraud export runs with the data directory"),
        FraudCmd::Backtest {
            events,
            labels,
            rules,
            against,
            json,
        } => {
            let report = run_backtest(&events, &labels, rules.as_deref(), against.as_deref())?;
            let mut out = std::io::stdout().lock();
            if json {
                serde_json::to_writer_pretty(&mut out, &report)?;
                writeln!(out)?;
            } else {
                print_report(&mut out, &report)?;
            }
        }
        FraudCmd::Simulate {
            seed,
            count,
            days,
            shape,
            labels,
        } => {
            let shape = match shape.as_str() {
                "shop" => Shape::Shop,
                "guest" => Shape::Guest,
                _ => bail!("--shape takes shop or guest"),
            };
            if days == 0 || days > 3_650 {
                bail!("--days must be between 1 and 3650");
            }
            let mut p = Params::new(seed);
            p.events = count;
            p.days = days;
            p.shape = shape;
            let evs = simulate::generate(&p);
            let mut out = BufWriter::new(std::io::stdout().lock());
            let mut lab = match &labels {
                Some(f) => Some(BufWriter::new(
                    std::fs::File::create(f)
                        .with_context(|| format!("creating {}", f.display()))?,
                )),
                None => None,
            };
            for mut e in evs {
                if let Some(l) = &mut lab {
                    let label = e.label.take();
                    let (fraud, scenario) =
                        label.map_or((false, String::new()), |l| (l.fraud, l.scenario));
                    serde_json::to_writer(
                        &mut *l,
                        &serde_json::json!({"id": e.id, "fraud": fraud, "scenario": scenario}),
                    )?;
                    writeln!(l)?;
                }
                serde_json::to_writer(&mut out, &e)?;
                writeln!(out)?;
            }
            out.flush()?;
            if let Some(mut l) = lab {
                l.flush()?;
            }
        }
        FraudCmd::Features => {
            let mut out = std::io::stdout().lock();
            for d in &jaga_fraud::names::registry().defs {
                writeln!(out, "{:<40} {:<7} {}", d.name, d.kind.as_str(), d.doc)?;
            }
        }
        FraudCmd::Rules { check, export } => {
            if let Some(dir) = check {
                let set = load_rules(Some(&dir))?;
                println!(
                    "{}: {} rules, review from {}, block from {} (version {})",
                    dir.display(),
                    set.rules.len(),
                    set.review_at,
                    set.block_at,
                    set.version
                );
            } else if let Some(dir) = export {
                if dir.exists() {
                    bail!("{} already exists", dir.display());
                }
                std::fs::create_dir_all(&dir)?;
                for (name, text) in jaga_fraud::rules::DEFAULT_SOURCES {
                    std::fs::write(dir.join(name), text)?;
                }
                println!("wrote the default rules to {}", dir.display());
            } else {
                bail!("give --check DIR or --export DIR");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads every `*.toml` of `dir` in name order (the shipped rules without a directory).
pub fn load_rules(dir: Option<&Path>) -> Result<RuleSet> {
    let Some(dir) = dir else {
        return Ok(RuleSet::defaults());
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading rule directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    let mut sources = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f)
            .with_context(|| format!("reading {} (rule files are UTF-8 text)", f.display()))?;
        let name = f
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        sources.push((name, text));
    }
    RuleSet::from_sources(sources).map_err(|e| {
        let file = if e.line == 0 {
            dir.display().to_string()
        } else {
            dir.join(&e.file).display().to_string()
        };
        anyhow!("{file}:{}: {}", e.line, e.message)
    })
}

/// One line's place in the file, for replay in time order.
struct Slot {
    ts: i128,
    offset: u64,
    line: usize,
}

/// Pass 1: validates every line (JSON, card guard, event schema) and returns the replay order.
/// Nothing is printed unless the whole file is valid.
fn index_events(path: &Path) -> Result<(Vec<Slot>, bool)> {
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut r = BufReader::with_capacity(1 << 20, f);
    let mut slots = Vec::new();
    let mut buf = String::new();
    let mut offset = 0u64;
    let mut line = 0usize;
    loop {
        buf.clear();
        let n = r
            .read_line(&mut buf)
            .with_context(|| format!("{}: line {} is not UTF-8 text", path.display(), line + 1))?;
        if n == 0 {
            break;
        }
        line += 1;
        let text = buf.trim();
        if !text.is_empty() {
            let ev =
                parse_guarded(text).map_err(|e| anyhow!("{}: line {line}: {e}", path.display()))?;
            slots.push(Slot {
                ts: ev.ts.unix_timestamp_nanos(),
                offset,
                line,
            });
        }
        offset += n as u64;
    }
    let sorted = slots.windows(2).all(|w| w[0].ts <= w[1].ts);
    if !sorted {
        slots.sort_by_key(|s| s.ts); // stable: equal times keep file order
    }
    Ok((slots, sorted))
}

/// Parses a line through the card guard: a card number anywhere refuses the line.
fn parse_guarded(text: &str) -> Result<Event> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| anyhow!("{}", event::from_serde(&e)))?;
    if let Some(path) = jaga_core::guard::find_card_number_in_body(text.as_bytes(), &v) {
        bail!(
            "a card number at `{path}` is refused / nomor kartu ditolak; send the gateway's card_fingerprint, card_bin and card_last4 instead"
        );
    }
    event::event_from_value(v).map_err(|e| anyhow!("{e}"))
}

/// Pass 2: sends the events in replay order, in batches, to every receiver.
fn replay(
    path: &Path,
    slots: &[Slot],
    sorted: bool,
    sinks: &[std::sync::mpsc::SyncSender<Arc<Vec<Event>>>],
) -> Result<()> {
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut r = BufReader::with_capacity(1 << 20, f);
    let mut buf = String::new();
    let mut batch = Vec::with_capacity(2048);
    let mut pos = 0u64;
    for s in slots {
        if !sorted || pos != s.offset {
            r.seek(SeekFrom::Start(s.offset))?;
        }
        buf.clear();
        let n = r.read_line(&mut buf)?;
        pos = s.offset + n as u64;
        let ev = event::parse_event(buf.trim())
            .map_err(|e| anyhow!("{}: line {}: {e}", path.display(), s.line))?;
        batch.push(ev);
        if batch.len() == 2048 {
            let b = Arc::new(std::mem::replace(&mut batch, Vec::with_capacity(2048)));
            for tx in sinks {
                tx.send(Arc::clone(&b))
                    .map_err(|_| anyhow!("scorer stopped"))?;
            }
        }
    }
    if !batch.is_empty() {
        let b = Arc::new(batch);
        for tx in sinks {
            tx.send(Arc::clone(&b))
                .map_err(|_| anyhow!("scorer stopped"))?;
        }
    }
    Ok(())
}

fn score(events: &Path, rules: Option<&Path>, jsonl: bool, lang: Lang) -> Result<()> {
    let rules = Arc::new(load_rules(rules)?);
    let (slots, sorted) = index_events(events)?;
    let mut engine = Engine::new(rules, Arc::new(RandomKeyer::new()), lang);
    let (tx, rx) = sync_channel::<Arc<Vec<Event>>>(4);
    let mut failures: HashMap<String, (u64, String)> = HashMap::new();
    std::thread::scope(|s| -> Result<()> {
        let reader = s.spawn(|| replay(events, &slots, sorted, &[tx]));
        let mut out = BufWriter::new(std::io::stdout().lock());
        for batch in rx {
            for ev in batch.iter() {
                let o = engine.score(ev);
                for f in &o.failures {
                    failures
                        .entry(f.rule.clone())
                        .or_insert((0, f.message.clone()))
                        .0 += 1;
                }
                if jsonl {
                    serde_json::to_writer(&mut out, &o)?;
                    writeln!(out)?;
                } else {
                    let rules: Vec<&str> = o.reasons.iter().map(|r| r.rule.as_str()).collect();
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}",
                        o.id,
                        o.decision.as_str(),
                        o.score,
                        rules.join(",")
                    )?;
                }
            }
        }
        out.flush()?;
        reader.join().map_err(|_| anyhow!("reader panicked"))?
    })?;
    report_failures(&failures);
    Ok(())
}

fn report_failures(failures: &HashMap<String, (u64, String)>) {
    let mut f: Vec<_> = failures.iter().collect();
    f.sort();
    for (rule, (n, msg)) in f {
        eprintln!("rule {rule} failed on {n} events and was skipped there: {msg}");
    }
}

fn read_labels(path: &Path) -> Result<HashMap<String, bool>> {
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut labels = HashMap::new();
    let mut r = BufReader::new(f);
    let mut buf = String::new();
    let mut line = 0;
    loop {
        buf.clear();
        if r.read_line(&mut buf)? == 0 {
            break;
        }
        line += 1;
        if buf.trim().is_empty() {
            continue;
        }
        let (id, fraud) = event::parse_label(buf.trim())
            .map_err(|e| anyhow!("{}: line {line}: {e}", path.display()))?;
        labels.insert(id, fraud);
    }
    Ok(labels)
}

fn run_backtest(
    events: &Path,
    labels: &Path,
    rules: Option<&Path>,
    against: Option<&Path>,
) -> Result<Report> {
    let cand = Arc::new(load_rules(rules)?);
    let base = against
        .map(|d| load_rules(Some(d)).map(Arc::new))
        .transpose()?;
    let labels = read_labels(labels)?;
    let (slots, sorted) = index_events(events)?;
    let keyer = Arc::new(RandomKeyer::new());
    let run_one =
        |rx: std::sync::mpsc::Receiver<Arc<Vec<Event>>>, set: Arc<RuleSet>, collect: bool| {
            let keyer = Arc::clone(&keyer);
            let labels = &labels;
            move || {
                let mut tally = Tally::new(&set);
                let mut engine = Engine::new(set, keyer, Lang::En);
                let mut ids = Vec::new();
                let mut labs = Vec::new();
                for batch in rx {
                    for ev in batch.iter() {
                        let o = engine.score(ev);
                        let l = labels.get(&ev.id).copied();
                        tally.add(&o, l);
                        if collect {
                            ids.push(ev.id.clone());
                            labs.push(l);
                        }
                    }
                }
                (tally, ids, labs)
            }
        };
    let (tx_a, rx_a) = sync_channel(4);
    let mut sinks = vec![tx_a];
    let rx_b = base.as_ref().map(|_| {
        let (tx, rx) = sync_channel(4);
        sinks.push(tx);
        rx
    });
    let collect = base.is_some();
    let ((ta, ids, labs), tb) = std::thread::scope(|s| -> Result<_> {
        let reader = s.spawn(move || replay(events, &slots, sorted, &sinks));
        let hb = match (rx_b, &base) {
            (Some(rx), Some(set)) => Some(s.spawn(run_one(rx, Arc::clone(set), false))),
            _ => None,
        };
        let a = run_one(rx_a, Arc::clone(&cand), collect)();
        reader.join().map_err(|_| anyhow!("reader panicked"))??;
        let b = hb
            .map(|h| h.join().map_err(|_| anyhow!("scorer panicked")))
            .transpose()?;
        Ok((a, b.map(|(t, _, _)| t)))
    })?;
    let events_n = ta.flagged.len() as u64;
    let name =
        |p: Option<&Path>| p.map_or_else(|| "defaults".to_string(), |p| p.display().to_string());
    let mut diff = tb.as_ref().map(|tb| backtest::diff(&ta, tb, &labs, &ids));
    let a = ta.finish(&name(rules));
    let b = tb.map(|tb| tb.finish(&name(against)));
    if let (Some(d), Some(b)) = (&mut diff, &b) {
        backtest::fill_deltas(d, &a, b);
    }
    let m = &a.metrics;
    Ok(Report {
        events: events_n,
        labelled: m.tp + m.fp + m.tn + m.fn_,
        fraud: m.tp + m.fn_,
        rules: a,
        against: b,
        diff,
    })
}

fn print_report(out: &mut impl Write, r: &Report) -> Result<()> {
    writeln!(
        out,
        "events {}, labelled {} (fraud {})",
        r.events, r.labelled, r.fraud
    )?;
    let set = |out: &mut dyn Write, title: &str, s: &backtest::SetReport| -> std::io::Result<()> {
        let m = &s.metrics;
        writeln!(out, "\n{title}: {} (version {})", s.name, s.version)?;
        writeln!(
            out,
            "  precision {:.3}  recall {:.3}  false-positive rate {:.4}",
            m.precision, m.recall, m.false_positive_rate
        )?;
        writeln!(
            out,
            "  confusion: tp {}  fp {}  tn {}  fn {}",
            m.tp, m.fp, m.tn, m.fn_
        )?;
        let d: Vec<String> = s
            .decisions
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        writeln!(out, "  decisions: {}", d.join("  "))?;
        writeln!(
            out,
            "  {:<34} {:<7} {:>8} {:>8} {:>8} {:>9}",
            "rule", "action", "hits", "fraud", "legit", "precision"
        )?;
        for rs in &s.rules {
            writeln!(
                out,
                "  {:<34} {:<7} {:>8} {:>8} {:>8} {:>9.3}",
                rs.rule, rs.action, rs.hits, rs.fraud_hits, rs.legit_hits, rs.precision
            )?;
        }
        for (rule, msg) in &s.rule_errors {
            writeln!(out, "  rule {rule} failed at run time (skipped): {msg}")?;
        }
        Ok(())
    };
    set(out, "rules", &r.rules)?;
    if let Some(a) = &r.against {
        set(out, "against", a)?;
    }
    if let Some(d) = &r.diff {
        writeln!(
            out,
            "\ndifference (rules vs against): {} events change",
            d.changed
        )?;
        writeln!(
            out,
            "  newly flagged: fraud {}  legit {}  unlabelled {}",
            d.newly_flagged.fraud, d.newly_flagged.legit, d.newly_flagged.unlabelled
        )?;
        writeln!(
            out,
            "  no longer flagged: fraud {}  legit {}  unlabelled {}",
            d.no_longer_flagged.fraud, d.no_longer_flagged.legit, d.no_longer_flagged.unlabelled
        )?;
        writeln!(
            out,
            "  precision {:+.3}  recall {:+.3}  false-positive rate {:+.4}",
            d.precision_delta, d.recall_delta, d.false_positive_rate_delta
        )?;
    }
    Ok(())
}
