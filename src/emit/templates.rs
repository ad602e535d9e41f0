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
    env.add_filter("code_spans", code_spans);
    env.add_filter("md_text", md_text);
    for (name, src) in TEMPLATES {
        env.add_template(name, src).unwrap_or_else(|e| panic!("template {name}: {e}"));
    }
    env
}

/// HTML for text that marks code the Markdown way (`--flag=value`, as reasons do): escaped, with
/// each backtick pair a `<code>` element, so a reader sees no raw backticks. An unpaired backtick
/// stays as it is.
fn code_spans(text: &str) -> minijinja::Value {
    // As minijinja's own HTML escaping (which escapes `/` too).
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#x27;").replace('/', "&#x2f;");
    let parts: Vec<&str> = text.split('`').collect();
    let mut html = String::with_capacity(text.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        let inside = i % 2 == 1 && i + 1 < parts.len();
        match (inside, i % 2 == 1) {
            (true, _) => html.push_str(&format!("<code>{}</code>", escape(part))),
            (false, true) => html.push_str(&format!("`{}", escape(part))),
            (false, false) => html.push_str(&escape(part)),
        }
    }
    minijinja::Value::from_safe_string(html)
}

/// Text from the evidence in a Markdown document: HTML in it is shown, not rendered (Markdown
/// passes raw HTML through, and a container may be named `<img src=x onerror=...>`), as the
/// HTML report shows it.
fn md_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Renders a template; the templates ship with the binary, so failing to render is a bug.
pub fn render(name: &str, ctx: impl serde::Serialize) -> String {
    let env = environment();
    env.get_template(name).and_then(|t| t.render(minijinja::value::Serde(&ctx))).unwrap_or_else(|e| panic!("rendering {name}: {e:#}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn md_text_shows_html_instead_of_rendering_it() {
        assert_eq!(super::md_text("<img src=x onerror=alert(1)> & co"), "&lt;img src=x onerror=alert(1)&gt; &amp; co");
    }

    #[test]
    fn code_spans_become_code_elements_and_everything_is_escaped() {
        let html = super::code_spans("flag `--anonymous-auth=true` on <node> & `x").to_string();
        assert_eq!(html, "flag <code>--anonymous-auth=true</code> on &lt;node&gt; &amp; `x");
        assert_eq!(super::code_spans("`<b>`").to_string(), "<code>&lt;b&gt;</code>");
    }
}
