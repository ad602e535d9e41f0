//! The minijinja templates in `templates/`, compiled into the binary (an installed tool must
//! not depend on the source tree). HTML templates auto-escape; Markdown ones do not.

use minijinja::{AutoEscape, Environment};

const TEMPLATES: &[(&str, &str)] = &[
    ("report.html.j2", include_str!("../../templates/report.html.j2")),
    ("report.md.j2", include_str!("../../templates/report.md.j2")),
    ("implemented_requirement.md.j2", include_str!("../../templates/implemented_requirement.md.j2")),
];

pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| if name.contains(".html") { AutoEscape::Html } else { AutoEscape::None });
    env.set_syntax(minijinja::syntax::SyntaxConfig::builder().trim_blocks(true).build().expect("default delimiters"));
    for (name, src) in TEMPLATES {
        env.add_template(name, src).unwrap_or_else(|e| panic!("template {name}: {e}"));
    }
    env
}

/// Renders a template; the templates ship with the binary, so failing to render is a bug.
pub fn render(name: &str, ctx: impl serde::Serialize) -> String {
    let env = environment();
    env.get_template(name).and_then(|t| t.render(minijinja::value::Serde(&ctx))).unwrap_or_else(|e| panic!("rendering {name}: {e:#}"))
}
