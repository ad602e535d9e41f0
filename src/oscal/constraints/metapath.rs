//! The subset of Metapath (Metaschema's XPath 3.1 dialect) that NIST's OSCAL constraints use.
//!
//! Supported, by what the 1.2.3 modules contain (every target, test and key-field of the 13
//! files parses, except the one `doc(...)` index in the SSP model):
//!
//! | syntax | example from NIST's modules |
//! |---|---|
//! | child step, flag step, `.`, `..`, `*` | `prop`, `@name`, `.`, `(.)` |
//! | `a/b`, `a//b`, leading `/` and `//` | `.//part`, `//(control\|group\|part)` |
//! | predicates, also on `(...)` and atomics | `link[@rel='diagram']/@href[starts-with(.,'#')]` |
//! | union `\|` (or `union`), sequences `(a, b)` | `title\|address`, `@name=('a','b')` |
//! | general comparisons `= != < <= > >=` | `not(@start > @end)` |
//! | `and`, `or` | `... and @name='method'` |
//! | string and number literals | `'http://csrc.nist.gov/ns/oscal'` |
//! | functions: `has-oscal-namespace`, `not`, `exists`, `empty`, `count`, `starts-with`, `ends-with`, `contains`, `string-length`, `matches`, `distinct-values`, `string`, `boolean`, `true`, `false` | |
//!
//! Anything else (variables, arithmetic, `doc()`, axes written out, `if`/`for`/`let`) is a
//! parse error, and a constraint using it is reported as not evaluated, never passed.

use std::borrow::Cow;

use regex::Regex;

use super::definitions::NameId;
use super::nodes::{Atom, ElemKind, NodeRef, Tree};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameTest {
    Any,
    Name(NameId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    HasOscalNamespace,
    Not,
    Exists,
    Empty,
    Count,
    StartsWith,
    EndsWith,
    Contains,
    StringLength,
    Matches,
    DistinctValues,
    String,
    Boolean,
    True,
    False,
}

impl Func {
    fn from_name(name: &str) -> Option<(Func, usize, usize)> {
        // (function, fewest arguments, most arguments)
        Some(match name {
            "has-oscal-namespace" => (Func::HasOscalNamespace, 1, 1),
            "not" => (Func::Not, 1, 1),
            "exists" => (Func::Exists, 1, 1),
            "empty" => (Func::Empty, 1, 1),
            "count" => (Func::Count, 1, 1),
            "starts-with" => (Func::StartsWith, 2, 2),
            "ends-with" => (Func::EndsWith, 2, 2),
            "contains" => (Func::Contains, 2, 2),
            "string-length" => (Func::StringLength, 0, 1),
            "matches" => (Func::Matches, 2, 2),
            "distinct-values" => (Func::DistinctValues, 1, 1),
            "string" => (Func::String, 0, 1),
            "boolean" => (Func::Boolean, 1, 1),
            "true" => (Func::True, 0, 0),
            "false" => (Func::False, 0, 0),
            _ => return None,
        })
    }
}

#[derive(Debug)]
pub enum Expr {
    /// `/`: the document node.
    Root,
    /// `.`
    Context,
    /// `..`
    Parent,
    Child(NameTest),
    Flag(NameTest),
    /// `a/b`
    Step(Box<Expr>, Box<Expr>),
    /// `a//b`
    DescendantStep(Box<Expr>, Box<Expr>),
    /// `e[p]...`
    Filter(Box<Expr>, Vec<Expr>),
    Union(Vec<Expr>),
    Sequence(Vec<Expr>),
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Compare(Box<Expr>, Cmp, Box<Expr>),
    Str(String),
    Num(f64),
    Call(Func, Vec<Expr>),
    /// `matches(x, 'literal')`, compiled once.
    MatchesLiteral(Box<Expr>, Regex),
}

/// An item of a Metapath sequence.
#[derive(Debug, Clone)]
pub enum Item<'a> {
    Node(NodeRef),
    Str(Cow<'a, str>),
    Num(f64),
    Bool(bool),
}

// ---------------------------------------------------------------------------------------
// Parsing

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Str(String),
    Num(f64),
    Sym(&'static str),
}

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    const SYMBOLS: [&str; 16] = ["//", "..", "!=", "<=", ">=", "/", ".", "@", "[", "]", "(", ")", ",", "|", "=", "*"];
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' || c == '"' {
            // XPath string literal: the quote doubled inside stands for itself.
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("unterminated string literal".into()),
                    Some(q) if *q == c && chars.get(i + 1) == Some(&c) => {
                        s.push(c);
                        i += 2;
                    }
                    Some(q) if *q == c => {
                        i += 1;
                        break;
                    }
                    Some(ch) => {
                        s.push(*ch);
                        i += 1;
                    }
                }
            }
            toks.push(Tok::Str(s));
        } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            toks.push(Tok::Num(s.parse().map_err(|_| format!("bad number {s}"))?));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '-' | '_' | '.')) {
                i += 1;
            }
            toks.push(Tok::Name(chars[start..i].iter().collect()));
        } else if c == '<' || c == '>' {
            let two = chars.get(i + 1) == Some(&'=');
            toks.push(Tok::Sym(match (c, two) {
                ('<', true) => "<=",
                ('<', false) => "<",
                ('>', true) => ">=",
                _ => ">",
            }));
            i += if two { 2 } else { 1 };
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let sym = SYMBOLS.iter().find(|s| rest.starts_with(**s)).ok_or_else(|| format!("unsupported character '{c}'"))?;
            toks.push(Tok::Sym(sym));
            i += sym.chars().count();
        }
    }
    Ok(toks)
}

/// Parses a Metapath expression; names are interned through `intern`.
pub fn parse(text: &str, intern: &mut dyn FnMut(&str) -> NameId) -> Result<Expr, String> {
    let toks = tokenize(text)?;
    let mut p = Parser { toks, at: 0, intern, depth: 0 };
    let e = p.expr()?;
    match p.peek() {
        None => Ok(e),
        Some(t) => Err(format!("unexpected {} after the expression", describe(t))),
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Name(n) => format!("'{n}'"),
        Tok::Str(s) => format!("string '{s}'"),
        Tok::Num(n) => format!("number {n}"),
        Tok::Sym(s) => format!("'{s}'"),
    }
}

struct Parser<'i> {
    toks: Vec<Tok>,
    at: usize,
    intern: &'i mut dyn FnMut(&str) -> NameId,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.at + n)
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Sym(x)) if *x == s)
    }

    fn is_keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Tok::Name(x)) if x == k)
    }

    fn eat_sym(&mut self, s: &str) -> bool {
        let yes = self.is_sym(s);
        if yes {
            self.at += 1;
        }
        yes
    }

    fn expect_sym(&mut self, s: &str) -> Result<(), String> {
        if self.eat_sym(s) {
            Ok(())
        } else {
            Err(format!("expected '{s}', found {}", self.peek().map_or("the end".into(), describe)))
        }
    }

    fn expr(&mut self) -> Result<Expr, String> {
        // Nesting is bounded so no expression can exhaust the stack.
        self.depth += 1;
        if self.depth > 64 {
            return Err("expression nested too deeply".into());
        }
        let mut items = vec![self.or_expr()?];
        while self.eat_sym(",") {
            items.push(self.or_expr()?);
        }
        self.depth -= 1;
        Ok(if items.len() == 1 { items.pop().unwrap_or(Expr::Sequence(Vec::new())) } else { Expr::Sequence(items) })
    }

    fn or_expr(&mut self) -> Result<Expr, String> {
        let mut items = vec![self.and_expr()?];
        while self.is_keyword("or") {
            self.at += 1;
            items.push(self.and_expr()?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Expr::Or(items) })
    }

    fn and_expr(&mut self) -> Result<Expr, String> {
        let mut items = vec![self.comparison()?];
        while self.is_keyword("and") {
            self.at += 1;
            items.push(self.comparison()?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Expr::And(items) })
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let left = self.union()?;
        let op = match self.peek() {
            Some(Tok::Sym("=")) => Cmp::Eq,
            Some(Tok::Sym("!=")) => Cmp::Ne,
            Some(Tok::Sym("<")) => Cmp::Lt,
            Some(Tok::Sym("<=")) => Cmp::Le,
            Some(Tok::Sym(">")) => Cmp::Gt,
            Some(Tok::Sym(">=")) => Cmp::Ge,
            _ => return Ok(left),
        };
        self.at += 1;
        let right = self.union()?;
        Ok(Expr::Compare(Box::new(left), op, Box::new(right)))
    }

    fn union(&mut self) -> Result<Expr, String> {
        let mut items = vec![self.path()?];
        loop {
            if self.is_keyword("union") {
                self.at += 1;
            } else if !self.eat_sym("|") {
                break;
            }
            items.push(self.path()?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Expr::Union(items) })
    }

    fn path(&mut self) -> Result<Expr, String> {
        let mut left = if self.eat_sym("//") {
            Expr::DescendantStep(Box::new(Expr::Root), Box::new(self.step()?))
        } else if self.eat_sym("/") {
            if self.starts_step() {
                Expr::Step(Box::new(Expr::Root), Box::new(self.step()?))
            } else {
                return Ok(Expr::Root);
            }
        } else {
            self.step()?
        };
        loop {
            if self.eat_sym("//") {
                left = Expr::DescendantStep(Box::new(left), Box::new(self.step()?));
            } else if self.eat_sym("/") {
                left = Expr::Step(Box::new(left), Box::new(self.step()?));
            } else {
                return Ok(left);
            }
        }
    }

    fn starts_step(&self) -> bool {
        matches!(self.peek(), Some(Tok::Name(_) | Tok::Sym("." | ".." | "@" | "*" | "(")))
    }

    fn step(&mut self) -> Result<Expr, String> {
        let primary = self.primary()?;
        let mut preds = Vec::new();
        while self.eat_sym("[") {
            preds.push(self.expr()?);
            self.expect_sym("]")?;
        }
        Ok(if preds.is_empty() { primary } else { Expr::Filter(Box::new(primary), preds) })
    }

    fn name_test(&mut self) -> Result<NameTest, String> {
        match self.peek().cloned() {
            Some(Tok::Sym("*")) => {
                self.at += 1;
                Ok(NameTest::Any)
            }
            Some(Tok::Name(n)) if !n.contains(':') => {
                self.at += 1;
                Ok(NameTest::Name((self.intern)(&n)))
            }
            other => Err(format!("expected a name, found {}", other.as_ref().map_or("the end".into(), describe))),
        }
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.peek().cloned() {
            Some(Tok::Sym(".")) => {
                self.at += 1;
                Ok(Expr::Context)
            }
            Some(Tok::Sym("..")) => {
                self.at += 1;
                Ok(Expr::Parent)
            }
            Some(Tok::Sym("@")) => {
                self.at += 1;
                Ok(Expr::Flag(self.name_test()?))
            }
            Some(Tok::Sym("*")) => Ok(Expr::Child(self.name_test()?)),
            Some(Tok::Sym("(")) => {
                self.at += 1;
                if self.eat_sym(")") {
                    return Ok(Expr::Sequence(Vec::new()));
                }
                let e = self.expr()?;
                self.expect_sym(")")?;
                Ok(e)
            }
            Some(Tok::Str(s)) => {
                self.at += 1;
                Ok(Expr::Str(s))
            }
            Some(Tok::Num(n)) => {
                self.at += 1;
                Ok(Expr::Num(n))
            }
            Some(Tok::Name(n)) if self.peek_at(1) == Some(&Tok::Sym("(")) => self.call(&n),
            Some(Tok::Name(_)) => Ok(Expr::Child(self.name_test()?)),
            other => Err(format!("unexpected {}", other.as_ref().map_or("end of expression".into(), describe))),
        }
    }

    fn call(&mut self, name: &str) -> Result<Expr, String> {
        let (func, min, max) = Func::from_name(name).ok_or_else(|| format!("function {name}() is not supported"))?;
        self.at += 2; // name and '('
        let mut args = Vec::new();
        if !self.eat_sym(")") {
            loop {
                args.push(self.or_expr()?);
                if self.eat_sym(")") {
                    break;
                }
                self.expect_sym(",")?;
            }
        }
        if args.len() < min || args.len() > max {
            return Err(format!("{name}() takes {min} to {max} arguments, not {}", args.len()));
        }
        if func == Func::Matches {
            let Expr::Str(pattern) = &args[1] else { return Err("matches() is supported with a literal pattern only".into()) };
            let re = Regex::new(pattern).map_err(|e| format!("matches() pattern: {e}"))?;
            let subject = args.swap_remove(0);
            return Ok(Expr::MatchesLiteral(Box::new(subject), re));
        }
        Ok(Expr::Call(func, args))
    }
}

// ---------------------------------------------------------------------------------------
// Evaluation

pub type EvalResult<'a> = Result<Vec<Item<'a>>, String>;

/// Evaluates an expression with a node as the context item.
pub fn evaluate<'a>(expr: &'a Expr, tree: &Tree<'a>, context: NodeRef) -> EvalResult<'a> {
    eval(expr, tree, &Item::Node(context))
}

/// The effective boolean value of an expression (XPath 2.4.3).
pub fn test<'a>(expr: &'a Expr, tree: &Tree<'a>, context: NodeRef) -> Result<bool, String> {
    ebv(&evaluate(expr, tree, context)?)
}

/// The nodes an expression selects (atomic results are not nodes and are dropped).
pub fn nodes<'a>(expr: &'a Expr, tree: &Tree<'a>, context: NodeRef) -> Result<Vec<NodeRef>, String> {
    Ok(evaluate(expr, tree, context)?.into_iter().filter_map(|i| if let Item::Node(n) = i { Some(n) } else { None }).collect())
}

fn context_node(ctx: &Item<'_>) -> Result<NodeRef, String> {
    match ctx {
        Item::Node(n) => Ok(*n),
        _ => Err("a path step needs a node as its context, not an atomic value".into()),
    }
}

fn eval<'a>(expr: &'a Expr, tree: &Tree<'a>, ctx: &Item<'a>) -> EvalResult<'a> {
    Ok(match expr {
        Expr::Root => {
            context_node(ctx)?;
            vec![Item::Node(NodeRef::DOCUMENT)]
        }
        Expr::Context => vec![ctx.clone()],
        Expr::Parent => tree.parent(context_node(ctx)?).map(Item::Node).into_iter().collect(),
        Expr::Child(test) => {
            let n = context_node(ctx)?;
            if n.is_flag() {
                Vec::new()
            } else {
                tree.children(n.elem).filter(|c| name_matches(tree, *test, NodeRef::elem(*c))).map(|c| Item::Node(NodeRef::elem(c))).collect()
            }
        }
        Expr::Flag(test) => {
            let n = context_node(ctx)?;
            match test {
                _ if n.is_flag() => Vec::new(),
                NameTest::Name(name) => tree.flag(n.elem, *name).map(Item::Node).into_iter().collect(),
                NameTest::Any => tree.flags(n.elem).map(Item::Node).collect(),
            }
        }
        Expr::Step(left, right) => {
            let mut out = Vec::new();
            for item in eval(left, tree, ctx)? {
                context_node(&item)?;
                out.extend(eval(right, tree, &item)?);
            }
            document_order(out)?
        }
        Expr::DescendantStep(left, right) => {
            let mut out = Vec::new();
            for item in eval(left, tree, ctx)? {
                let n = context_node(&item)?;
                descendant_step(tree, n, right, &mut out)?;
            }
            document_order(out)?
        }
        Expr::Filter(base, preds) => {
            let mut items = eval(base, tree, ctx)?;
            for p in preds {
                items = filter(tree, items, p)?;
            }
            items
        }
        Expr::Union(parts) => {
            let mut out = Vec::new();
            for p in parts {
                let items = eval(p, tree, ctx)?;
                if items.iter().any(|i| !matches!(i, Item::Node(_))) {
                    return Err("a union (|) of atomic values".into());
                }
                out.extend(items);
            }
            document_order(out)?
        }
        Expr::Sequence(parts) => {
            let mut out = Vec::new();
            for p in parts {
                out.extend(eval(p, tree, ctx)?);
            }
            out
        }
        Expr::Or(parts) => {
            let mut any = false;
            for p in parts {
                if ebv(&eval(p, tree, ctx)?)? {
                    any = true;
                    break;
                }
            }
            vec![Item::Bool(any)]
        }
        Expr::And(parts) => {
            let mut all = true;
            for p in parts {
                if !ebv(&eval(p, tree, ctx)?)? {
                    all = false;
                    break;
                }
            }
            vec![Item::Bool(all)]
        }
        Expr::Compare(l, op, r) => {
            let left = atomize(tree, eval(l, tree, ctx)?)?;
            let right = atomize(tree, eval(r, tree, ctx)?)?;
            vec![Item::Bool(left.iter().any(|a| right.iter().any(|b| compare(a, *op, b))))]
        }
        Expr::Str(s) => vec![Item::Str(Cow::Borrowed(s))],
        Expr::Num(n) => vec![Item::Num(*n)],
        Expr::MatchesLiteral(subject, re) => {
            let s = string_arg(tree, eval(subject, tree, ctx)?)?;
            vec![Item::Bool(re.is_match(&s))]
        }
        Expr::Call(func, args) => call(tree, *func, args, ctx)?,
    })
}

fn name_matches(tree: &Tree<'_>, test: NameTest, n: NodeRef) -> bool {
    match test {
        NameTest::Any => true,
        NameTest::Name(name) => tree.name(n) == name,
    }
}

/// `n//step`: the step from n and from each of its descendants. A plain child step (the
/// common `//part`) is a scan of n's subtree, which is contiguous in document order.
fn descendant_step<'a>(tree: &Tree<'a>, n: NodeRef, step: &'a Expr, out: &mut Vec<Item<'a>>) -> Result<(), String> {
    if n.is_flag() {
        return Ok(());
    }
    let (child, preds) = match step {
        Expr::Child(test) => (Some(*test), &[][..]),
        Expr::Filter(base, preds) if preds.iter().all(never_numeric) => match base.as_ref() {
            Expr::Child(test) => (Some(*test), &preds[..]),
            _ => (None, &[][..]),
        },
        _ => (None, &[][..]),
    };
    if let Some(test) = child {
        let mut found: Vec<Item<'a>> =
            tree.descendants(n.elem).filter(|d| name_matches(tree, test, NodeRef::elem(*d))).map(|d| Item::Node(NodeRef::elem(d))).collect();
        for p in preds {
            found = filter(tree, found, p)?;
        }
        out.extend(found);
        return Ok(());
    }
    out.extend(eval(step, tree, &Item::Node(n))?);
    for d in tree.descendants(n.elem) {
        out.extend(eval(step, tree, &Item::Node(NodeRef::elem(d)))?);
    }
    Ok(())
}

/// Whether a predicate can never be a number (a number would make it positional, which a
/// subtree scan cannot answer).
fn never_numeric(p: &Expr) -> bool {
    match p {
        Expr::Num(_) | Expr::Sequence(_) | Expr::Filter(..) | Expr::Context | Expr::Parent => false,
        Expr::Call(f, _) => !matches!(f, Func::Count | Func::StringLength),
        _ => true,
    }
}

fn filter<'a>(tree: &Tree<'a>, items: Vec<Item<'a>>, pred: &'a Expr) -> EvalResult<'a> {
    let mut out = Vec::with_capacity(items.len());
    for (pos, item) in items.into_iter().enumerate() {
        let r = eval(pred, tree, &item)?;
        let keep = match r.as_slice() {
            [Item::Num(n)] => (pos + 1) as f64 == *n,
            _ => ebv(&r)?,
        };
        if keep {
            out.push(item);
        }
    }
    Ok(out)
}

/// Sorts node sequences into document order without duplicates; atomic sequences keep their
/// order; a mix is an error, as in XPath.
fn document_order(mut items: Vec<Item<'_>>) -> EvalResult<'_> {
    let nodes = items.iter().filter(|i| matches!(i, Item::Node(_))).count();
    if nodes == 0 {
        return Ok(items);
    }
    if nodes != items.len() {
        return Err("a path yields both nodes and atomic values".into());
    }
    let key = |i: &Item<'_>| if let Item::Node(n) = i { *n } else { NodeRef::DOCUMENT };
    items.sort_by_key(key);
    items.dedup_by_key(|i| key(i));
    Ok(items)
}

/// An atomic value, after atomization.
#[derive(Debug, Clone)]
enum Atomic<'a> {
    Str(Cow<'a, str>),
    Num(f64),
    Bool(bool),
}

fn atomize<'a>(tree: &Tree<'a>, items: Vec<Item<'a>>) -> Result<Vec<Atomic<'a>>, String> {
    items
        .into_iter()
        .map(|i| match i {
            Item::Str(s) => Ok(Atomic::Str(s)),
            Item::Num(n) => Ok(Atomic::Num(n)),
            Item::Bool(b) => Ok(Atomic::Bool(b)),
            Item::Node(n) => match tree.value(n) {
                Some(Atom::Json(serde_json::Value::Number(x))) => Ok(Atomic::Num(x.as_f64().unwrap_or(f64::NAN))),
                Some(Atom::Json(serde_json::Value::Bool(b))) => Ok(Atomic::Bool(*b)),
                Some(a) => a.text().map(Atomic::Str).ok_or_else(|| "a value that is an object or array".to_string()),
                None if !n.is_flag() && tree.kind(n.elem) == ElemKind::Field => Ok(Atomic::Str(Cow::Borrowed(""))),
                None => Err("an assembly has no atomic value".to_string()),
            },
        })
        .collect()
}

fn text_of<'a>(a: &Atomic<'a>) -> Cow<'a, str> {
    match a {
        Atomic::Str(s) => s.clone(),
        Atomic::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => Cow::Owned(format!("{}", *n as i64)),
        Atomic::Num(n) => Cow::Owned(n.to_string()),
        Atomic::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
    }
}

/// One pair of a general comparison. Numbers compare as numbers (flags such as a port range's
/// `@start` are typed integers); a number against text that is not a number compares as text.
fn compare(a: &Atomic<'_>, op: Cmp, b: &Atomic<'_>) -> bool {
    let as_num = |x: &Atomic<'_>| match x {
        Atomic::Num(n) => Some(*n),
        Atomic::Str(s) => s.trim().parse::<f64>().ok(),
        Atomic::Bool(_) => None,
    };
    let numeric = matches!(a, Atomic::Num(_)) || matches!(b, Atomic::Num(_));
    let ord = match (numeric, as_num(a), as_num(b)) {
        (true, Some(x), Some(y)) => x.partial_cmp(&y),
        _ => Some(text_of(a).cmp(&text_of(b))),
    };
    let Some(ord) = ord else { return op == Cmp::Ne };
    match op {
        Cmp::Eq => ord.is_eq(),
        Cmp::Ne => ord.is_ne(),
        Cmp::Lt => ord.is_lt(),
        Cmp::Le => ord.is_le(),
        Cmp::Gt => ord.is_gt(),
        Cmp::Ge => ord.is_ge(),
    }
}

/// Effective boolean value: empty is false, a sequence starting with a node is true, a single
/// boolean, string or number is itself, non-empty or non-zero.
pub fn ebv(items: &[Item<'_>]) -> Result<bool, String> {
    match items {
        [] => Ok(false),
        [Item::Node(_), ..] => Ok(true),
        [Item::Bool(b)] => Ok(*b),
        [Item::Str(s)] => Ok(!s.is_empty()),
        [Item::Num(n)] => Ok(*n != 0.0 && !n.is_nan()),
        _ => Err("the truth of a sequence of several atomic values is undefined".into()),
    }
}

/// A function's string argument: empty sequence is "", one item is its text.
fn string_arg<'a>(tree: &Tree<'a>, items: Vec<Item<'a>>) -> Result<Cow<'a, str>, String> {
    let atoms = atomize(tree, items)?;
    match atoms.as_slice() {
        [] => Ok(Cow::Borrowed("")),
        [a] => Ok(text_of(a)),
        _ => Err("a function expected one value and got several".into()),
    }
}

fn call<'a>(tree: &Tree<'a>, func: Func, args: &'a [Expr], ctx: &Item<'a>) -> EvalResult<'a> {
    let arg = |i: usize| eval(&args[i], tree, ctx);
    let bool_item = |b: bool| Ok(vec![Item::Bool(b)]);
    match func {
        Func::HasOscalNamespace => {
            let n = context_node(ctx)?;
            let wanted = atomize(tree, arg(0)?)?;
            let ns = if n.is_flag() { Cow::Borrowed("") } else { tree.namespace(n.elem) };
            bool_item(wanted.iter().any(|w| text_of(w) == ns))
        }
        Func::Not => bool_item(!ebv(&arg(0)?)?),
        Func::Boolean => bool_item(ebv(&arg(0)?)?),
        Func::Exists => bool_item(!arg(0)?.is_empty()),
        Func::Empty => bool_item(arg(0)?.is_empty()),
        Func::Count => Ok(vec![Item::Num(arg(0)?.len() as f64)]),
        Func::True => bool_item(true),
        Func::False => bool_item(false),
        Func::StartsWith | Func::EndsWith | Func::Contains => {
            let (s, t) = (string_arg(tree, arg(0)?)?, string_arg(tree, arg(1)?)?);
            bool_item(match func {
                Func::StartsWith => s.starts_with(t.as_ref()),
                Func::EndsWith => s.ends_with(t.as_ref()),
                _ => s.contains(t.as_ref()),
            })
        }
        Func::StringLength | Func::String => {
            let s = if args.is_empty() { string_arg(tree, vec![ctx.clone()])? } else { string_arg(tree, arg(0)?)? };
            Ok(vec![if func == Func::String { Item::Str(s) } else { Item::Num(s.chars().count() as f64) }])
        }
        Func::DistinctValues => {
            let mut seen: Vec<Cow<'a, str>> = Vec::new();
            for a in atomize(tree, arg(0)?)? {
                let t = text_of(&a);
                if !seen.contains(&t) {
                    seen.push(t);
                }
            }
            Ok(seen.into_iter().map(Item::Str).collect())
        }
        Func::Matches => Err("matches() with a computed pattern".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> &'static super::super::definitions::Schema {
        super::super::schema().expect("vendored modules load")
    }

    fn compile(text: &str) -> Result<Expr, String> {
        let s = schema();
        parse(text, &mut |n| s.name_id(n).unwrap_or(NameId::MAX - 1))
    }

    #[test]
    fn every_expression_form_nist_uses_parses() {
        for text in [
            "(.)[@system=('http://www.first.org/cvss/v3.0', 'http://www.first.org/cvss/v3.1') and @name='scope']/@value",
            "(.|statement|.//by-component)/prop[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name",
            "information-type/(confidentiality-impact|integrity-impact|availability-impact)/(base|selected)",
            "link[@rel='diagram']/@href[not(starts-with(.,'#'))]",
            "//(control|group|part)",
            "prop[@name='status']/@value=('withdrawn','Withdrawn', 'reserved', 'superseded') or part[@name='statement']",
            "not(@start > @end)",
            "prop[has-oscal-namespace(('http://csrc.nist.gov/ns/oscal','http://csrc.nist.gov/ns/rmf')) and @name='method']",
            ".[citation]",
        ] {
            compile(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        }
    }

    #[test]
    fn unsupported_syntax_is_an_error_not_a_guess() {
        for text in ["doc(@href)/x", "$var", "a + 1", "child::x", "matches(., @p)", "(", "a[", "'open", "f(1)"] {
            assert!(compile(text).is_err(), "{text} should not parse");
        }
    }

    fn catalog() -> serde_json::Value {
        json!({"catalog": {
            "uuid": "5b5e0b5c-6f1b-4c1e-9d2b-1a2b3c4d5e6f",
            "metadata": {"title": "T", "props": [{"name": "marking", "value": "x"}, {"name": "keywords", "ns": "http://example.com", "value": "y"}]},
            "groups": [{"id": "g", "title": "G", "controls": [{"id": "c-1", "title": "One", "parts": [{"name": "statement", "id": "c-1_smt", "parts": [{"name": "item", "id": "c-1_a"}]}],
                "controls": [{"id": "c-1.1", "title": "Enh", "props": [{"name": "status", "value": "withdrawn"}]}]}]}]
        }})
    }

    fn run(doc: &serde_json::Value, text: &str, at: u32) -> Vec<String> {
        let s = schema();
        let expr: &'static Expr = Box::leak(Box::new(compile(text).unwrap()));
        let tree = Tree::build(s, doc);
        evaluate(expr, &tree, NodeRef::elem(at))
            .unwrap()
            .into_iter()
            .map(|i| match i {
                Item::Node(n) => tree.pointer(n),
                Item::Str(s) => s.into_owned(),
                Item::Num(n) => n.to_string(),
                Item::Bool(b) => b.to_string(),
            })
            .collect()
    }

    #[test]
    fn paths_predicates_and_unions_select_in_document_order() {
        let doc = catalog();
        assert_eq!(run(&doc, "//part/@id", 1), ["/catalog/groups/0/controls/0/parts/0/id", "/catalog/groups/0/controls/0/parts/0/parts/0/id"]);
        assert_eq!(run(&doc, "count(//(control|group))", 1), ["3"]);
        assert_eq!(run(&doc, "metadata/prop[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name", 1), ["/catalog/metadata/props/0/name"]);
        assert_eq!(run(&doc, "metadata/prop[2]/@value", 1), ["/catalog/metadata/props/1/value"]);
        assert_eq!(run(&doc, "(groups|metadata|metadata)", 1), ["/catalog/metadata"], "JSON names are not node names");
        assert_eq!(run(&doc, "(group|metadata|metadata)", 1), ["/catalog/metadata", "/catalog/groups/0"]);
        assert_eq!(run(&doc, ".//control[prop[@name='status']/@value=('withdrawn','reserved')]/@id", 1), ["/catalog/groups/0/controls/0/controls/0/id"]);
        assert_eq!(run(&doc, "group/control/part[@name='statement']//part/@name", 1), ["/catalog/groups/0/controls/0/parts/0/parts/0/name"]);
        assert_eq!(run(&doc, "metadata/prop/@name[starts-with(., 'key')]", 1), ["/catalog/metadata/props/1/name"]);
        assert_eq!(run(&doc, "not(exists(@uuid)) or @uuid != 'x'", 1), ["true"]);
        assert_eq!(run(&doc, "..", 2), ["/catalog"]);
        assert_eq!(run(&doc, "string-length(metadata/title) = 1 and 2 > 10", 1), ["false"]);
        assert_eq!(run(&doc, "distinct-values(metadata/prop/@name)", 1), ["marking", "keywords"]);
    }
}
