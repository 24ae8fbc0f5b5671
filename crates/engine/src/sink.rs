//! Where matches go: the [`MatchSink`] trait and ready-made sinks.

use std::convert::Infallible;

use crate::Match;

/// Receives matches as the scanner confirms them, in increasing order of end offset per rule.
///
/// Returning `Ok(false)` stops the scan early; an error stops it and is passed through.
/// Implemented for `&mut S`, so a sink can be lent to several scans.
pub trait MatchSink {
    /// The error a sink may fail with.
    type Error;

    /// Called once per confirmed match (and per rejected match when the scanner was built
    /// with [`ScannerBuilder::report_rejected`](crate::ScannerBuilder::report_rejected)).
    ///
    /// # Errors
    ///
    /// Whatever the sink fails with; the scan stops and returns it.
    fn matched(&mut self, m: &Match<'_>) -> Result<bool, Self::Error>;
}

impl<S: MatchSink + ?Sized> MatchSink for &mut S {
    type Error = S::Error;

    fn matched(&mut self, m: &Match<'_>) -> Result<bool, Self::Error> {
        (**self).matched(m)
    }
}

/// Adapts a closure `FnMut(&Match) -> bool` into a [`MatchSink`] that cannot fail.
#[derive(Debug)]
pub struct FnSink<F>(pub F);

impl<F: FnMut(&Match<'_>) -> bool> MatchSink for FnSink<F> {
    type Error = Infallible;

    fn matched(&mut self, m: &Match<'_>) -> Result<bool, Infallible> {
        Ok((self.0)(m))
    }
}

/// Collects owned copies of every match.
#[derive(Debug, Default)]
pub struct CollectSink {
    /// The matches, in the order they were reported.
    pub matches: Vec<crate::OwnedMatch>,
}

impl MatchSink for CollectSink {
    type Error = Infallible;

    fn matched(&mut self, m: &Match<'_>) -> Result<bool, Infallible> {
        self.matches.push(m.to_owned());
        Ok(true)
    }
}
