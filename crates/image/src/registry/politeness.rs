//! [`Politeness`]: how hard layerleak leans on each registry, shared by every connection
//! made with the same [`RegistryOptions`](crate::registry::RegistryOptions): a request
//! budget per minute, a number of requests in flight, and the pauses a registry asks for
//! (a 429's `Retry-After`, `RateLimit-Remaining: 0`), which then hold for every request to
//! it, not only the one that was refused.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The longest pause a registry's headers can impose on the next request; one asking for
/// more gets this (and the request is then tried, or fails as the registry answers).
pub const MAX_PAUSE: Duration = Duration::from_secs(60);

/// Limits on the requests to each registry (host), and the pauses registries asked for.
#[derive(Debug, Default)]
pub struct Politeness {
    per_minute: Option<u32>,
    in_flight: Option<usize>,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

/// One registry's turn-taking.
#[derive(Debug)]
struct Host {
    /// The earliest the next request may start.
    next: Mutex<Instant>,
    /// Requests in flight, when limited.
    permits: Option<Arc<Semaphore>>,
}

/// A request's turn: holds its place among the requests in flight until dropped.
#[derive(Debug)]
pub(crate) struct Turn {
    _permit: Option<OwnedSemaphorePermit>,
}

impl Politeness {
    /// At most `per_minute` requests a minute (evenly spaced) and `in_flight` requests at
    /// once to each registry; `None` for no limit.
    pub fn new(per_minute: Option<u32>, in_flight: Option<usize>) -> Politeness {
        Politeness {
            per_minute: per_minute.filter(|&n| n > 0),
            in_flight: in_flight.filter(|&n| n > 0),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn host(&self, host: &str) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(hosts.entry(host.to_owned()).or_insert_with(|| {
            Arc::new(Host {
                next: Mutex::new(Instant::now()),
                permits: self.in_flight.map(|n| Arc::new(Semaphore::new(n))),
            })
        }))
    }

    /// The time between two requests to one registry.
    fn spacing(&self) -> Duration {
        self.per_minute.map_or(Duration::ZERO, |n| Duration::from_secs(60) / n)
    }

    /// Waits for the turn of a request to `host`: a place among those in flight, then its
    /// slot in the budget and the end of any pause the registry asked for.
    pub(crate) async fn turn(&self, host: &str) -> Turn {
        let h = self.host(host);
        let permit = match &h.permits {
            Some(permits) => Arc::clone(permits).acquire_owned().await.ok(),
            None => None,
        };
        let slot = {
            let mut next = h.next.lock().unwrap_or_else(PoisonError::into_inner);
            let slot = (*next).max(Instant::now());
            *next = slot + self.spacing();
            slot
        };
        tokio::time::sleep_until(slot).await;
        Turn { _permit: permit }
    }

    /// No request to `host` starts before `wait` from now (at most [`MAX_PAUSE`]).
    pub(crate) fn pause(&self, host: &str, wait: Duration) {
        let h = self.host(host);
        let until = Instant::now() + wait.min(MAX_PAUSE);
        let mut next = h.next.lock().unwrap_or_else(PoisonError::into_inner);
        *next = (*next).max(until);
    }

    /// Takes note of a response's rate-limit headers: with `RateLimit-Remaining: 0`, the
    /// registry is not asked again before its `RateLimit-Reset` (or `Retry-After`), at
    /// most [`MAX_PAUSE`].
    pub(crate) fn observe(&self, host: &str, headers: &HeaderMap) {
        let remaining = header(headers, "ratelimit-remaining").and_then(leading_number);
        if remaining != Some(0) {
            return;
        }
        let wait = header(headers, "ratelimit-reset")
            .and_then(leading_number)
            .map(Duration::from_secs)
            .or_else(|| retry_after(headers, SystemTime::now()))
            .unwrap_or(MAX_PAUSE);
        self.pause(host, wait);
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The number a header value starts with (`95;w=21600` → 95).
fn leading_number(value: &str) -> Option<u64> {
    value.split([';', ',']).next()?.trim().parse().ok()
}

/// How long a `Retry-After` header asks to wait, in seconds or until an HTTP date (as of
/// `now`), at most [`MAX_PAUSE`]; a date in the past is no wait.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = header(headers, "retry-after")?.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let at = httpdate::parse_http_date(value).ok()?;
            at.duration_since(now).unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_PAUSE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn retry_after_in_seconds_or_as_an_http_date_within_a_bound() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let at = |v: &str| retry_after(&headers(&[("retry-after", v)]), now);
        assert_eq!(at("7"), Some(Duration::from_secs(7)));
        assert_eq!(at("Sun, 06 Nov 1994 08:49:49 GMT"), Some(Duration::from_secs(12)));
        // RFC 850 and asctime forms are HTTP dates too.
        assert_eq!(at("Sunday, 06-Nov-94 08:49:40 GMT"), Some(Duration::from_secs(3)));
        assert_eq!(at("Sun Nov  6 08:49:38 1994"), Some(Duration::from_secs(1)));
        assert_eq!(at("Sun, 06 Nov 1994 08:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(at("86400"), Some(MAX_PAUSE));
        assert_eq!(at("Mon, 07 Nov 1994 08:49:37 GMT"), Some(MAX_PAUSE));
        assert_eq!(at("soon"), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_the_budget_and_wait_for_a_pause() {
        let p = Politeness::new(Some(120), None);
        let start = tokio::time::Instant::now();
        for _ in 0..3 {
            drop(p.turn("r.example").await);
        }
        assert_eq!(start.elapsed(), Duration::from_secs(1), "120 a minute: one per 500 ms");
        // Another registry has its own budget.
        let other = tokio::time::Instant::now();
        drop(p.turn("s.example").await);
        assert_eq!(other.elapsed(), Duration::ZERO);
        // RateLimit-Remaining: 0 pauses until the reset; a remaining count does not.
        p.observe("s.example", &headers(&[("ratelimit-remaining", "12;w=60")]));
        let before = tokio::time::Instant::now();
        drop(p.turn("s.example").await);
        assert_eq!(before.elapsed(), Duration::from_millis(500));
        p.observe(
            "s.example",
            &headers(&[("ratelimit-remaining", "0;w=60"), ("ratelimit-reset", "5")]),
        );
        let before = tokio::time::Instant::now();
        drop(p.turn("s.example").await);
        assert_eq!(before.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn requests_in_flight_are_limited_per_registry() {
        let p = Arc::new(Politeness::new(None, Some(1)));
        let first = p.turn("r.example").await;
        let waiting = tokio::spawn({
            let p = Arc::clone(&p);
            async move { drop(p.turn("r.example").await) }
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiting.is_finished(), "a second request went out with one in flight");
        drop(p.turn("s.example").await);
        drop(first);
        waiting.await.unwrap();
    }
}
