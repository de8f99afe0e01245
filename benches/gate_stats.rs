//! The deploy gate's error-rate rule in simulation: how often a watch passes, fails or ends
//! inconclusive, per traffic level and true increase, on the gate's look schedule.
//!
//! Each watch draws Poisson error counts for a candidate and a baseline over a fixed session
//! rate (50 sessions per baseline error), the baseline's window as long as the candidate's, and
//! hands every look to the gate's own judge (`gate::judge::Judge`: the policy built from the
//! command's flags, the rules, the budgets spent over the looks, the verdict rule) exactly as the
//! watch does with Sentry's answers. The first look is at the deploy, then every interval, with
//! looks at the end of the soak and at the timeout, as `timeline` schedules them. A fail ends the
//! watch; a pass ends it from the soak on; whatever is undecided at the timeout is inconclusive.
//!
//! Usage: `cargo bench --bench gate_stats -- [--soak 10m] [--interval 60s] [--timeout 15m]
//! [--trials 4000] [--seed 1] [--max-increase 25] [--min-errors 25] [--min-sessions 500]
//! [--check]` (the gate's own flags and defaults). `--check` exits 1 when a target of issue 9 is
//! missed. `scripts/gate-stats.sh` runs it.

use chrono::{DateTime, Utc};
use sentry_companion::cli::parse_duration;
use sentry_companion::gate::acks::Acks;
use sentry_companion::gate::budget::ERROR_RATE_SHARE;
use sentry_companion::gate::judge::Judge;
use sentry_companion::gate::observations::{
    ErrorRateData, ErrorRates, ExposureKind, IssueSearch, Observations, Side, Unavailable, Window,
    WindowChoice,
};
use sentry_companion::gate::policy::{
    ALPHA, BETA, Policy, PolicySpec, Verdict, human_duration, percent,
};
use sentry_companion::gate::rate_decision::EVENTS_TO_FAIL;
use sentry_companion::sentry::models::Issue;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Baseline errors per hour of the simulated services.
const LEVELS: [f64; 3] = [20.0, 500.0, 20_000.0];
/// True increases of the candidate's error rate over the baseline's.
const INCREASES: [f64; 5] = [0.0, 0.25, 0.5, 1.0, 3.0];
/// Sessions per baseline error (a 2 % error-per-session rate); both releases get the same.
const SESSIONS_PER_ERROR: f64 = 50.0;

/// What the simulation is run with: the gate's policy and the simulation's own settings.
struct Options {
    policy: PolicySpec,
    trials: u32,
    seed: u64,
    check: bool,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut options = Self {
            policy: PolicySpec {
                version: "2.0.0".into(),
                environment: "production".into(),
                ..PolicySpec::default()
            },
            trials: 4000,
            seed: 1,
            check: false,
        };
        while let Some(flag) = args.next() {
            if flag == "--check" {
                options.check = true;
                continue;
            }
            // `cargo bench` passes `--bench` to every bench binary.
            if flag == "--bench" {
                continue;
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let count = || {
                value
                    .parse::<u64>()
                    .map_err(|_| format!("{flag} takes a count, not {value:?}"))
            };
            let policy = &mut options.policy;
            match flag.as_str() {
                "--soak" => policy.soak = parse_duration(&value)?,
                "--interval" => policy.interval = parse_duration(&value)?,
                "--timeout" => policy.timeout = Some(parse_duration(&value)?),
                "--max-increase" => {
                    policy.max_increase = value
                        .parse()
                        .map_err(|_| format!("{flag} takes a percentage, not {value:?}"))?
                }
                "--min-errors" => policy.min_errors = count()?,
                "--min-sessions" => policy.min_sessions = count()?,
                "--trials" => {
                    options.trials = u32::try_from(count()?)
                        .map_err(|_| format!("--trials takes a count, not {value:?}"))?
                }
                "--seed" => options.seed = count()?,
                _ => return Err(format!("unknown option {flag}")),
            }
        }
        if options.trials == 0 {
            return Err("--trials must be more than zero".into());
        }
        Ok(options)
    }
}

/// The look times: at the deploy, every interval, at the end of the soak and at the timeout.
fn look_times(policy: &Policy) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..)
        .map(|n| policy.interval * n)
        .take_while(|at| *at < policy.timeout)
        .chain([policy.soak, policy.timeout])
        .collect();
    times.sort();
    times.dedup();
    times
}

/// A Poisson draw, exact: a sum of Knuth's product-of-uniforms draws over chunks of the mean.
fn poisson(rng: &mut fastrand::Rng, mean: f64) -> u64 {
    const CHUNK: f64 = 16.0;
    let mut remaining = mean;
    let mut count = 0;
    while remaining > 0.0 {
        let part = remaining.min(CHUNK);
        remaining -= part;
        let limit = (-part).exp();
        let mut product = rng.f64();
        while product > limit {
            count += 1;
            product *= rng.f64();
        }
    }
    count
}

/// Errors per second of each side and sessions per second of both.
struct Traffic {
    candidate_errors: f64,
    baseline_errors: f64,
    sessions: f64,
}

/// The deploy of every simulated watch.
fn deploy() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH + chrono::TimeDelta::days(20_000)
}

/// One look's observations: no issues, no sessions data for crash-free, and the error counts
/// over sessions since the deploy.
fn observations(at: DateTime<Utc>, candidate: (u64, f64), baseline: (u64, f64)) -> Observations {
    let none = || {
        Ok(IssueSearch {
            query: String::new(),
            issues: Vec::new(),
            total: 0,
        })
    };
    let side = |version: &str, (errors, exposure): (u64, f64), choice| Side {
        version: version.into(),
        window: Window {
            start: deploy(),
            end: at,
        },
        errors,
        exposure,
        choice,
    };
    Observations {
        at,
        new_issues: none(),
        regressed: none(),
        sessions: Ok(None),
        errors: Ok(ErrorRates::Measured(ErrorRateData {
            kind: ExposureKind::Sessions,
            candidate: side("2.0.0", candidate, None),
            baselines: vec![side("1.0.0", baseline, Some(WindowChoice::Concurrent))],
            note: None,
        })),
        // Only the error rate is simulated: the latency rule is skipped and cannot block a pass.
        latency: Err(Unavailable {
            reason: "no transactions simulated".into(),
            missing_scope: None,
        }),
    }
}

/// One watch: the verdict and the time since the deploy it came at.
fn watch(
    rng: &mut fastrand::Rng,
    looks: &[Duration],
    policy: &Policy,
    traffic: &Traffic,
) -> (Verdict, Duration) {
    let acks = Acks::default();
    let link = |issue: &Issue| issue.id.clone();
    let mut judge = Judge::new(policy, &acks, (deploy(), deploy()), None, &link)
        .expect("the options make a valid policy");
    let (mut candidate, mut baseline) = ((0, 0.0), (0, 0.0));
    let mut previous = Duration::ZERO;
    for &at in looks {
        let seconds = (at - previous).as_secs_f64();
        previous = at;
        candidate.0 += poisson(rng, traffic.candidate_errors * seconds);
        baseline.0 += poisson(rng, traffic.baseline_errors * seconds);
        candidate.1 += traffic.sessions * seconds;
        baseline.1 += traffic.sessions * seconds;
        let instant = deploy() + chrono::TimeDelta::from_std(at).expect("a short watch");
        if let Some((verdict, _)) = judge
            .look(&observations(instant, candidate, baseline))
            .verdict
        {
            return (verdict, at);
        }
    }
    (Verdict::Inconclusive, previous)
}

/// The outcomes of one level and increase.
struct Row {
    level: f64,
    increase: f64,
    pass: u32,
    fail: u32,
    inconclusive: u32,
    pass_minutes: Vec<f64>,
    fail_minutes: Vec<f64>,
}

impl Row {
    fn share(&self, count: u32) -> f64 {
        f64::from(count) / f64::from(self.pass + self.fail + self.inconclusive)
    }
}

fn median(values: &mut [f64]) -> String {
    if values.is_empty() {
        return "-".into();
    }
    values.sort_by(f64::total_cmp);
    format!("{:.0}", values[values.len() / 2])
}

/// One row: `trials` watches at a traffic level and true increase, from the row's own seed.
fn simulate_row(options: &Options, policy: &Policy, cell: usize) -> Row {
    let (level, increase) = (
        LEVELS[cell / INCREASES.len()],
        INCREASES[cell % INCREASES.len()],
    );
    let looks = look_times(policy);
    let mut rng = fastrand::Rng::with_seed(options.seed.wrapping_mul(1_000_003) + cell as u64);
    let traffic = Traffic {
        candidate_errors: level * (1.0 + increase) / 3600.0,
        baseline_errors: level / 3600.0,
        sessions: level * SESSIONS_PER_ERROR / 3600.0,
    };
    let mut row = Row {
        level,
        increase,
        pass: 0,
        fail: 0,
        inconclusive: 0,
        pass_minutes: Vec::new(),
        fail_minutes: Vec::new(),
    };
    for _ in 0..options.trials {
        let (verdict, at) = watch(&mut rng, &looks, policy, &traffic);
        let minute = at.as_secs_f64() / 60.0;
        match verdict {
            Verdict::Pass => {
                row.pass += 1;
                row.pass_minutes.push(minute);
            }
            Verdict::Fail => {
                row.fail += 1;
                row.fail_minutes.push(minute);
            }
            Verdict::Inconclusive => row.inconclusive += 1,
        }
    }
    row
}

/// Every row, on as many threads as there are cores; each row has its own seed, so the table does
/// not depend on the threads.
fn simulate(options: &Options, policy: &Policy) -> Vec<Row> {
    let cells = LEVELS.len() * INCREASES.len();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let cell = next.fetch_add(1, Ordering::Relaxed);
                        if cell >= cells {
                            return done;
                        }
                        done.push((cell, simulate_row(options, policy, cell)));
                    }
                })
            })
            .collect();
        let mut all: Vec<(usize, Row)> = workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("a simulation thread"))
            .collect();
        all.sort_by_key(|(cell, _)| *cell);
        all.into_iter().map(|(_, row)| row).collect()
    })
}

fn print_table(rows: &mut [Row]) {
    println!(
        "| baseline errors/h | true increase | pass | fail | inconclusive | median minute of pass / fail |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for row in rows.iter_mut() {
        println!(
            "| {} | +{:.0}% | {:.1}% | {:.1}% | {:.1}% | {} / {} |",
            row.level,
            row.increase * 100.0,
            100.0 * row.share(row.pass),
            100.0 * row.share(row.fail),
            100.0 * row.share(row.inconclusive),
            median(&mut row.pass_minutes),
            median(&mut row.fail_minutes),
        );
    }
}

/// Checks the targets of issue 9 and says how each went; true when all are met.
fn check_targets(rows: &[Row], policy: &Policy) -> bool {
    let rule_alpha = ALPHA * ERROR_RATE_SHARE;
    let find = |level: f64, increase: f64| {
        rows.iter()
            .find(|r| r.level == level && r.increase == increase)
            .expect("every level and increase is simulated")
    };
    let worst_false_alarm = rows
        .iter()
        .filter(|r| r.increase <= policy.max_increase)
        .map(|r| r.share(r.fail))
        .fold(0.0, f64::max);
    let doubled_fails = find(500.0, 1.0).share(find(500.0, 1.0).fail);
    let quiet_passes: u32 = rows
        .iter()
        .filter(|r| r.level == 20.0 && r.increase >= 1.0)
        .map(|r| r.pass)
        .sum();
    let targets = [
        (
            format!(
                "false alarms (fails at a true increase within +{:.0}%) at or under the rule's α = {} at every level",
                policy.max_increase * 100.0,
                rule_alpha,
            ),
            format!("worst {:.2}%", 100.0 * worst_false_alarm),
            worst_false_alarm <= rule_alpha,
        ),
        (
            "at 500 errors/h a doubled rate fails in at least 95% of watches".to_owned(),
            format!("{:.1}%", 100.0 * doubled_fails),
            doubled_fails >= 0.95,
        ),
        (
            "at 20 errors/h a doubled (or worse) rate never passes".to_owned(),
            format!("{quiet_passes} passes"),
            quiet_passes == 0,
        ),
    ];
    println!();
    for (target, measured, met) in &targets {
        println!(
            "- {target}: {measured}, {}",
            if *met { "met" } else { "NOT MET" }
        );
    }
    targets.iter().all(|(_, _, met)| *met)
}

fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("gate_stats: {message}");
            return ExitCode::from(2);
        }
    };
    let policy = match Policy::from_spec(options.policy.clone()) {
        Ok(policy) => policy,
        Err(message) => {
            eprintln!("gate_stats: {message}");
            return ExitCode::from(2);
        }
    };
    println!(
        "Soak {}, a look every {}, timeout {}; margin +{}; the error rate's α = {}, β = {}; \
         a fail needs {} errors of the release, a pass {} of the baseline and {} sessions on each \
         side; {} watches per row, seed {}; {} sessions per baseline error.\n",
        human_duration(policy.soak),
        human_duration(policy.interval),
        human_duration(policy.timeout),
        percent(policy.max_increase),
        ALPHA * ERROR_RATE_SHARE,
        BETA,
        EVENTS_TO_FAIL,
        policy.minimums.errors,
        policy.minimums.sessions,
        options.trials,
        options.seed,
        SESSIONS_PER_ERROR,
    );
    let started = Instant::now();
    let mut rows = simulate(&options, &policy);
    print_table(&mut rows);
    let met = check_targets(&rows, &policy);
    let standard_error = (0.05 * 0.95 / f64::from(options.trials)).sqrt();
    println!(
        "\n{} watches in {:.1}s; a rate near 5% has a Monte Carlo standard error of {:.2} points.",
        rows.len() as u64 * u64::from(options.trials),
        started.elapsed().as_secs_f64(),
        100.0 * standard_error,
    );
    if options.check && !met {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
