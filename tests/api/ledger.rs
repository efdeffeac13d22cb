//! The ledger under random sequences of sales, refunds (also ones that come before their
//! payment), disputes, payout requests, paid and rejected payouts and hold releases, driven
//! through the commerce service: after every step the ledger proves itself, what the providers
//! hold is what was paid minus what was given back, and every teacher's money is accounted for.

use std::collections::BTreeMap;
use std::time::Duration;

use lectern::commerce::ledger;
use lectern::commerce::payouts::earnings_of;
use lectern::commerce::repo::{self, OrderRecord, Provider};
use lectern::commerce::service::{Outcome, ProviderEvent};
use lectern::error::Error;
use lectern::identity::repo::UserRecord;
use lectern::ids::{CourseId, OrderId, PayoutId};
use proptest::prelude::*;

use crate::helpers::*;
use crate::money::{self, priced_course, selling_app_with, user};

#[derive(Debug, Clone)]
enum Op {
    Sale {
        student: usize,
        course: usize,
    },
    /// The provider's refund of `percent` comes before the payment.
    EarlyRefund {
        student: usize,
        course: usize,
        percent: u8,
    },
    /// An admin refunds `percent` of what is left (100: everything, by default).
    Refund {
        order: usize,
        percent: u8,
    },
    Dispute {
        order: usize,
    },
    /// The teacher asks for `percent` of what is available (100: everything, by default).
    Payout {
        teacher: usize,
        usd: bool,
        percent: u8,
    },
    Decide {
        payout: usize,
        paid: bool,
    },
    Advance {
        days: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..4usize, 0..3usize).prop_map(|(student, course)| Op::Sale { student, course }),
        1 => (0..4usize, 0..3usize, 1..=100u8).prop_map(|(student, course, percent)| Op::EarlyRefund { student, course, percent }),
        3 => (0..8usize, 1..=100u8).prop_map(|(order, percent)| Op::Refund { order, percent }),
        1 => (0..8usize).prop_map(|order| Op::Dispute { order }),
        4 => (0..2usize, any::<bool>(), prop_oneof![Just(10u8), Just(50), Just(100), Just(100)])
            .prop_map(|(teacher, usd, percent)| Op::Payout { teacher, usd, percent }),
        2 => (0..8usize, any::<bool>()).prop_map(|(payout, paid)| Op::Decide { payout, paid }),
        3 => (1..4u8).prop_map(|days| Op::Advance { days }),
    ]
}

struct School {
    app: TestApp,
    admin: UserRecord,
    teachers: Vec<UserRecord>,
    students: Vec<UserRecord>,
    courses: Vec<CourseId>,
    orders: Vec<OrderId>,
    /// (payout, teacher index, currency, amount, decided: None, Some(paid?)).
    payouts: Vec<(PayoutId, usize, String, i64, Option<bool>)>,
}

async fn school() -> School {
    // A two-day hold, so that shares come out of it within a sequence.
    let app = selling_app_with(|c| c.payments.rules.payout_hold = Duration::from_secs(2 * 86_400)).await;
    let t0 = app.sign_up_teacher("t0@school.test").await;
    let t1 = app.sign_up_teacher("t1@school.test").await;
    // Two currencies, and prices whose 20 % does not divide evenly.
    let courses = vec![
        priced_course(&app, &t0, "Dollars", 10_000, "USD", 1).await.id.parse().unwrap(),
        priced_course(&app, &t0, "Roubles", 3_333, "RUB", 1).await.id.parse().unwrap(),
        priced_course(&app, &t1, "Cents", 1_999, "USD", 1).await.id.parse().unwrap(),
    ];
    let mut students = Vec::new();
    for i in 0..4 {
        let s = app.sign_up_student(&format!("s{i}@school.test")).await;
        students.push(user(&app, &s).await);
    }
    let admin = app.sign_in_admin().await;
    School {
        admin: user(&app, &admin).await,
        teachers: vec![user(&app, &t0).await, user(&app, &t1).await],
        students,
        courses,
        orders: Vec::new(),
        payouts: Vec::new(),
        app,
    }
}

async fn get_order(s: &School, id: OrderId) -> OrderRecord {
    s.app.state().store.read(move |rtx| repo::get_order(rtx, id)).await.unwrap()
}

async fn event(s: &School, event_id: String, order: OrderId, outcome: Outcome) {
    let ev = ProviderEvent { provider: Provider::Test, event_id, order, outcome };
    s.app.state().commerce.apply(ev).await.unwrap();
}

/// A new pending order, unless the student already has the course.
async fn checkout(s: &School, student: usize, course: usize) -> Option<OrderRecord> {
    let commerce = &s.app.state().commerce;
    match commerce.checkout(&s.students[student], s.courses[course], Provider::Test, None).await {
        Ok(c) => Some(c.order),
        Err(Error::Conflict { .. }) => None,
        Err(e) => panic!("checkout: {e:?}"),
    }
}

async fn paid(s: &School, o: &OrderRecord) {
    let outcome =
        Outcome::Paid { amount_minor: o.total_minor(), currency: o.currency.clone(), payment_ref: None };
    event(s, format!("{}:pay", o.id), o.id, outcome).await;
}

async fn step(s: &mut School, op: &Op) {
    let commerce = s.app.state().commerce.clone();
    match *op {
        Op::Sale { student, course } => {
            if let Some(o) = checkout(s, student, course).await {
                paid(s, &o).await;
                s.orders.push(o.id);
            }
        }
        Op::EarlyRefund { student, course, percent } => {
            if let Some(o) = checkout(s, student, course).await {
                let total_minor = (o.total_minor() * i64::from(percent) / 100).max(1);
                event(s, format!("{}:early-refund", o.id), o.id, Outcome::Refunded { total_minor }).await;
                assert_eq!(get_order(s, o.id).await.refunded_minor, 0, "parked, not applied");
                paid(s, &o).await;
                assert_eq!(get_order(s, o.id).await.refunded_minor, total_minor, "applied once paid");
                s.orders.push(o.id);
            }
        }
        Op::Refund { order, percent } if !s.orders.is_empty() => {
            let id = s.orders[order % s.orders.len()];
            let before = get_order(s, id).await;
            let left = before.refundable_minor();
            let amount = (percent < 100).then(|| (left * i64::from(percent) / 100).max(1));
            let res = commerce.refund(&s.admin, id, amount, "property".into()).await;
            if left > 0 {
                let after = res.unwrap_or_else(|e| panic!("refunding {amount:?} of {left}: {e:?}"));
                assert_eq!(after.refunded_minor, before.refunded_minor + amount.unwrap_or(left));
            } else {
                assert!(matches!(res, Err(Error::Conflict { .. })), "nothing left, yet {res:?}");
            }
        }
        Op::Dispute { order } if !s.orders.is_empty() => {
            let id = s.orders[order % s.orders.len()];
            event(s, format!("{id}:dispute"), id, Outcome::Disputed).await;
            assert!(get_order(s, id).await.disputed);
        }
        Op::Payout { teacher, usd, percent } => {
            let currency = if usd { "USD" } else { "RUB" };
            let available = commerce
                .earnings(&s.teachers[teacher])
                .await
                .unwrap()
                .into_iter()
                .find(|e| e.currency == currency)
                .map_or(0, |e| e.available_minor);
            let amount = (percent < 100).then(|| available * i64::from(percent) / 100);
            let asked = amount.unwrap_or(available);
            let min = commerce.rules().payout_min_minor;
            let res = commerce.request_payout(&s.teachers[teacher], currency, amount).await;
            if asked >= min && asked <= available {
                let p = res.unwrap_or_else(|e| panic!("asking {asked} of {available}: {e:?}"));
                s.payouts.push((p.id, teacher, currency.to_owned(), asked, None));
            } else {
                assert!(
                    matches!(res, Err(Error::Conflict { .. })),
                    "{asked} of {available} asked, yet {res:?}"
                );
            }
        }
        Op::Decide { payout, paid } if !s.payouts.is_empty() => {
            let i = payout % s.payouts.len();
            let decision = if paid { Ok("REF-1".to_owned()) } else { Err("no".to_owned()) };
            let res = commerce.decide_payout(&s.admin, s.payouts[i].0, decision).await;
            if s.payouts[i].4.is_none() {
                res.unwrap();
                s.payouts[i].4 = Some(paid);
            } else {
                assert!(matches!(res, Err(Error::Conflict { .. })), "decided twice: {res:?}");
            }
        }
        Op::Advance { days } => {
            s.app.state().clock.advance(Duration::from_secs(u64::from(days) * 86_400));
            commerce.release_due().await.unwrap();
        }
        _ => {}
    }
}

/// What must hold after every step.
async fn books(s: &School, after: &str) {
    let state = s.app.state().clone();
    let orders = s.orders.clone();
    let teachers: Vec<_> = s.teachers.iter().map(|t| t.id).collect();
    let (audit, records, providers, earnings) = state
        .store
        .read(move |rtx| {
            let audit = ledger::verify(rtx)?;
            let mut records = Vec::new();
            for id in orders {
                records.push(repo::get_order(rtx, id)?);
            }
            let mut providers: BTreeMap<String, i64> = BTreeMap::new();
            for currency in ["USD", "RUB"] {
                for p in ["test", "stripe", "yookassa"] {
                    *providers.entry(currency.to_owned()).or_default() +=
                        ledger::balance(rtx, &ledger::provider(p), currency)?;
                }
            }
            let mut earnings = Vec::new();
            for t in teachers {
                earnings.push(earnings_of(rtx, t)?);
            }
            Ok((audit, records, providers, earnings))
        })
        .await
        .unwrap();
    assert!(audit.problems.is_empty(), "{after}: {:?}", audit.problems);

    // The providers hold what was paid, less what was given back.
    let mut taken: BTreeMap<String, i64> = BTreeMap::from([("USD".into(), 0), ("RUB".into(), 0)]);
    for o in records.iter().filter(|o| o.status.is_settled()) {
        *taken.get_mut(&o.currency).unwrap() += o.total_minor() - o.refunded_minor;
    }
    assert_eq!(providers, taken, "{after}: provider balances");

    for (t, rows) in earnings.iter().enumerate() {
        for e in rows {
            assert!(
                e.pending_minor >= 0
                    && e.frozen_minor >= 0
                    && e.requested_minor >= 0
                    && e.paid_out_minor >= 0,
                "{after}: teacher {t} owed a negative amount: {e:?}"
            );
            // What was asked for and paid is what the payouts say.
            let sum = |f: &dyn Fn(Option<bool>) -> bool| -> i64 {
                s.payouts.iter().filter(|p| p.1 == t && p.2 == e.currency && f(p.4)).map(|p| p.3).sum()
            };
            assert_eq!(e.requested_minor, sum(&|d| d.is_none()), "{after}: requested of teacher {t}");
            assert_eq!(e.paid_out_minor, sum(&|d| d == Some(true)), "{after}: paid out to teacher {t}");
            // Every share sold, less the teacher's part of the refunds, is somewhere.
            let shares: i64 = records
                .iter()
                .filter_map(|o| o.share.as_ref().map(|sh| (o, sh)))
                .filter(|(o, sh)| sh.teacher == s.teachers[t].id && o.currency == e.currency)
                .map(|(o, sh)| {
                    let fee_back = (i128::from(sh.fee_minor) * i128::from(o.refunded_minor)
                        / i128::from(o.total_minor())) as i64;
                    sh.teacher_minor - (o.refunded_minor - fee_back)
                })
                .sum();
            assert_eq!(
                e.pending_minor + e.available_minor + e.frozen_minor + e.requested_minor + e.paid_out_minor,
                shares,
                "{after}: teacher {t}'s money in {} is not all accounted for: {e:?}",
                e.currency
            );
        }
    }
}

async fn run(ops: Vec<Op>) {
    let mut s = school().await;
    // Every teacher has sold something in each currency, out of the hold: the random steps
    // then have money to give back, freeze and pay out from the start.
    let opening = [
        Op::Sale { student: 0, course: 0 },
        Op::Sale { student: 1, course: 1 },
        Op::Sale { student: 2, course: 2 },
        Op::Advance { days: 3 },
    ];
    for (i, op) in opening.iter().chain(&ops).enumerate() {
        step(&mut s, op).await;
        books(&s, &format!("after step {i} ({op:?})")).await;
    }
    money::assert_checks_pass(&s.app).await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_ledger_balances_whatever_happens_to_the_money(ops in proptest::collection::vec(op(), 8..32)) {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap().block_on(run(ops));
    }
}
