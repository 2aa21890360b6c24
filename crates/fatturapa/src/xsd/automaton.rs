//! Content models (`sequence`, `choice`, element particles with minOccurs/maxOccurs) as a
//! nondeterministic automaton over child element declarations, run with state sets. A
//! particle repeated `n..m` times is `n` copies followed by `m - n` optional copies (or a
//! loop when unbounded), so occurrence bounds are exact; the size is capped, and a schema
//! that would exceed it fails to load.

/// Index of an element declaration in the schema.
pub(crate) type ElemId = usize;

#[derive(Debug, Clone)]
pub(crate) enum Term {
    Element(ElemId),
    Sequence(Vec<Particle>),
    Choice(Vec<Particle>),
}

#[derive(Debug, Clone)]
pub(crate) struct Particle {
    pub term: Term,
    pub min: u32,
    /// `None` is `unbounded`.
    pub max: Option<u32>,
}

#[derive(Debug, Default, Clone)]
struct State {
    eps: Vec<usize>,
    on: Vec<(ElemId, usize)>,
}

#[derive(Debug, Clone)]
pub(crate) struct Automaton {
    states: Vec<State>,
    start: usize,
    accept: usize,
}

/// The most states one content model may take.
const MAX_STATES: usize = 200_000;

impl Automaton {
    /// The automaton of one particle (the content of a complex type).
    pub fn build(particle: Option<&Particle>) -> Result<Self, String> {
        let mut a = Automaton {
            states: Vec::new(),
            start: 0,
            accept: 0,
        };
        let (start, accept) = match particle {
            Some(p) => a.particle(p)?,
            None => {
                let s = a.state()?;
                (s, s)
            }
        };
        a.start = start;
        a.accept = accept;
        Ok(a)
    }

    fn state(&mut self) -> Result<usize, String> {
        if self.states.len() >= MAX_STATES {
            return Err("modello di contenuto troppo grande (troppe occorrenze)".into());
        }
        self.states.push(State::default());
        Ok(self.states.len() - 1)
    }

    fn eps(&mut self, from: usize, to: usize) {
        if let Some(s) = self.states.get_mut(from) {
            s.eps.push(to);
        }
    }

    fn term(&mut self, term: &Term) -> Result<(usize, usize), String> {
        match term {
            Term::Element(id) => {
                let (s, e) = (self.state()?, self.state()?);
                if let Some(st) = self.states.get_mut(s) {
                    st.on.push((*id, e));
                }
                Ok((s, e))
            }
            Term::Sequence(parts) => {
                let start = self.state()?;
                let mut cur = start;
                for p in parts {
                    let (s, e) = self.particle(p)?;
                    self.eps(cur, s);
                    cur = e;
                }
                Ok((start, cur))
            }
            Term::Choice(parts) => {
                let (start, end) = (self.state()?, self.state()?);
                for p in parts {
                    let (s, e) = self.particle(p)?;
                    self.eps(start, s);
                    self.eps(e, end);
                }
                Ok((start, end))
            }
        }
    }

    fn particle(&mut self, p: &Particle) -> Result<(usize, usize), String> {
        let start = self.state()?;
        let mut cur = start;
        for _ in 0..p.min {
            let (s, e) = self.term(&p.term)?;
            self.eps(cur, s);
            cur = e;
        }
        match p.max {
            None => {
                let hub = self.state()?;
                self.eps(cur, hub);
                let (s, e) = self.term(&p.term)?;
                self.eps(hub, s);
                self.eps(e, hub);
                Ok((start, hub))
            }
            Some(max) => {
                let end = self.state()?;
                for _ in p.min..max {
                    let (s, e) = self.term(&p.term)?;
                    self.eps(cur, s);
                    self.eps(cur, end);
                    cur = e;
                }
                self.eps(cur, end);
                Ok((start, end))
            }
        }
    }

    /// The states reachable from `set` through empty moves, sorted.
    fn closure(&self, set: impl IntoIterator<Item = usize>) -> Vec<usize> {
        let mut seen = vec![false; self.states.len()];
        let mut stack: Vec<usize> = set.into_iter().collect();
        let mut out = Vec::new();
        while let Some(s) = stack.pop() {
            if seen.get(s).copied().unwrap_or(true) {
                continue;
            }
            seen[s] = true;
            out.push(s);
            if let Some(st) = self.states.get(s) {
                stack.extend(st.eps.iter().copied());
            }
        }
        out.sort_unstable();
        out
    }

    pub fn initial(&self) -> Vec<usize> {
        self.closure([self.start])
    }

    /// Moves on one child element; `matches` says whether a declaration matches the child.
    /// Returns the new set and the declaration that matched (empty set: no match).
    pub fn step(
        &self,
        set: &[usize],
        matches: impl Fn(ElemId) -> bool,
    ) -> (Vec<usize>, Option<ElemId>) {
        let mut next = Vec::new();
        let mut matched = None;
        for s in set {
            if let Some(st) = self.states.get(*s) {
                for (id, to) in &st.on {
                    if matches(*id) {
                        matched.get_or_insert(*id);
                        next.push(*to);
                    }
                }
            }
        }
        (self.closure(next), matched)
    }

    pub fn accepts(&self, set: &[usize]) -> bool {
        set.binary_search(&self.accept).is_ok()
    }

    /// The declarations that may come next, in schema order, without repeats.
    pub fn expected(&self, set: &[usize]) -> Vec<ElemId> {
        let mut out: Vec<ElemId> = Vec::new();
        for s in set {
            if let Some(st) = self.states.get(*s) {
                for (id, _) in &st.on {
                    if !out.contains(id) {
                        out.push(*id);
                    }
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// Every declaration the model mentions (to go on checking children after an error).
    pub fn declarations(&self) -> Vec<ElemId> {
        let all: Vec<usize> = (0..self.states.len()).collect();
        self.expected(&all)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn el(id: ElemId, min: u32, max: Option<u32>) -> Particle {
        Particle {
            term: Term::Element(id),
            min,
            max,
        }
    }

    fn run(a: &Automaton, word: &[ElemId]) -> bool {
        let mut set = a.initial();
        for w in word {
            set = a.step(&set, |id| id == *w).0;
            if set.is_empty() {
                return false;
            }
        }
        a.accepts(&set)
    }

    #[test]
    fn sequence_choice_occurrences() {
        // (0, 1?, (2 | (3, 4)), 5{2,3}, 6*)
        let p = Particle {
            term: Term::Sequence(vec![
                el(0, 1, Some(1)),
                el(1, 0, Some(1)),
                Particle {
                    term: Term::Choice(vec![
                        el(2, 1, Some(1)),
                        Particle {
                            term: Term::Sequence(vec![el(3, 1, Some(1)), el(4, 1, Some(1))]),
                            min: 1,
                            max: Some(1),
                        },
                    ]),
                    min: 1,
                    max: Some(1),
                },
                el(5, 2, Some(3)),
                el(6, 0, None),
            ]),
            min: 1,
            max: Some(1),
        };
        let a = Automaton::build(Some(&p)).unwrap();
        assert!(run(&a, &[0, 2, 5, 5]));
        assert!(run(&a, &[0, 1, 3, 4, 5, 5, 5, 6, 6, 6]));
        assert!(!run(&a, &[0, 2, 5]));
        assert!(!run(&a, &[0, 2, 5, 5, 5, 5]));
        assert!(!run(&a, &[0, 3, 5, 5]));
        assert!(!run(&a, &[1, 0, 2, 5, 5]));
        assert!(!run(&a, &[0, 2, 3, 4, 5, 5]));
        let set = a.step(&a.initial(), |id| id == 0).0;
        assert_eq!(a.expected(&set), vec![1, 2, 3]);
    }

    #[test]
    fn empty_content() {
        let a = Automaton::build(None).unwrap();
        assert!(run(&a, &[]));
        assert!(!run(&a, &[0]));
    }
}
