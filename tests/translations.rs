//! Translations: one content tree per language, URLs under the language code, the theme's words and
//! dates per language, the switcher and hreflang, and the translation freshness rule.

mod common;

use common::Site;

const CONFIG: &str = r#"title = "Acme Help"
base_url = "https://help.example.com/"
default_language = "en"

[languages.en]
name = "English"

[languages.fa]
name = "فارسی"
title = "راهنمای اکمی"
content_dir = "content.fa"

[languages.de]
name = "Deutsch"
content_dir = "content.de"
"#;

fn article(title: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ntags = [\"billing\"]\n+++\n\n{body}\n")
}

/// English refunds (January), Persian and German translations (February), then the English article
/// changes in March: the Persian one is behind, the German one was verified after.
fn site() -> Site {
    let s = Site::new();
    s.git_init();
    s.file("kbfresh.toml", CONFIG)
        .file(
            "content/billing/_index.md",
            "+++\ntitle = \"Billing\"\n+++\n",
        )
        .file(
            "content/billing/refunds.md",
            &article("Refunds", "Ask within 30 days."),
        )
        .file(
            "content/billing/invoices.md",
            &article("Invoices", "See [refunds](refunds.md)."),
        )
        .file(
            "content.fa/billing/_index.md",
            "+++\ntitle = \"صورت‌حساب\"\n+++\n",
        );
    s.commit("English", "2026-01-10");
    s.file(
        "content.fa/billing/refunds.md",
        &article(
            "بازپرداخت",
            "تا ۳۰ روز درخواست دهید. [فاکتورها](/billing/invoices/)",
        ),
    )
    .file(
        "content.de/billing/refunds.md",
        &article("Rückerstattung", "Innerhalb von 30 Tagen."),
    );
    s.commit("Translations", "2026-02-01");
    s.file(
        "content/billing/refunds.md",
        &article("Refunds", "Ask within 60 days."),
    );
    let source = s.commit("Longer refund window", "2026-03-05");
    s.file(
        "content.de/billing/refunds.md",
        &article("Rückerstattung", "Innerhalb von 60 Tagen."),
    );
    s.commit("German follows", "2026-03-20");
    s.file("source-commit", &source);
    s
}

#[test]
fn translations_get_their_own_urls_words_and_direction() {
    let s = site();
    let r = s.run(&["build", "--now", "2026-04-01"]).ok();
    assert!(!r.stderr.contains("broken"), "{}", r.stderr);
    let fa = s.read("public/fa/billing/refunds/index.html");
    assert!(fa.contains("<html lang=\"fa\" dir=\"rtl\">"), "{fa}");
    assert!(fa.contains("آخرین بررسی"), "Persian theme words");
    assert!(
        fa.contains("<time datetime=\"2026-02-01\">۱ فوریه ۲۰۲۶</time>"),
        "Persian date: {fa}"
    );
    assert!(fa.contains("راهنمای اکمی"), "the language's site title");
    let de = s.read("public/de/billing/refunds/index.html");
    assert!(de.contains("<html lang=\"de\" dir=\"ltr\">"));
    assert!(de.contains("Zuletzt geprüft <time datetime=\"2026-03-20\">20. März 2026</time>"));
    let en = s.read("public/billing/refunds/index.html");
    assert!(en.contains("<html lang=\"en\" dir=\"ltr\">"));
    // Switcher and alternates on every version.
    for page in [&fa, &de, &en] {
        assert!(page.contains(
            "<link rel=\"alternate\" hreflang=\"fa\" href=\"https://help.example.com/fa/billing/refunds/\">"
        ));
        assert!(page.contains(
            "<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://help.example.com/billing/refunds/\">"
        ));
        assert!(
            page.contains(
                "<a href=\"/de/billing/refunds/\" hreflang=\"de\" lang=\"de\" dir=\"ltr\""
            )
        );
    }
    assert!(fa.contains("dir=\"rtl\" aria-current=\"true\">فارسی</a>"));
    // Each language has its home; sections and related articles stay in their language.
    let fa_home = s.read("public/fa/index.html");
    assert!(fa_home.contains("<html lang=\"fa\" dir=\"rtl\">"));
    assert!(fa_home.contains("صورت‌حساب"));
    assert!(!fa.contains("Invoices</a></h3>"), "related stays Persian");
    let sitemap = s.read("public/sitemap.xml");
    assert!(sitemap.contains(
        "<xhtml:link rel=\"alternate\" hreflang=\"de\" href=\"https://help.example.com/de/billing/refunds/\"/>"
    ));
}

#[test]
fn a_translation_whose_original_changed_is_stale_and_links_to_it() {
    let s = site();
    let commit = s.read("source-commit");
    s.run(&["build", "--now", "2026-04-01"]).ok();
    let fa = s.read("public/fa/billing/refunds/index.html");
    assert!(fa.contains("freshness-stale"), "{fa}");
    assert!(
        fa.contains(
            "نسخهٔ اصلی این مقاله به‌روز شده است در <time datetime=\"2026-03-05\">۵ مارس ۲۰۲۶</time>"
        ),
        "{fa}"
    );
    assert!(
        fa.contains("<a href=\"/billing/refunds/\" hreflang=\"en\">خواندن نسخهٔ اصلی (English)</a>")
    );
    // The German translation was updated after the original: fresh, no notice.
    let de = s.read("public/de/billing/refunds/index.html");
    assert!(de.contains("freshness-fresh"), "{de}");
    assert!(!de.contains("banner-translation"));

    let r = s
        .run(&["check", "--now", "2026-04-01", "--format", "json"])
        .fails(1);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let fa_article = json["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == "content.fa/billing/refunds.md")
        .unwrap();
    assert_eq!(fa_article["lang"], "fa");
    assert_eq!(fa_article["status"], "stale");
    assert_eq!(
        fa_article["reasons"][0]["message"],
        format!(
            "the English original changed on 2026-03-05 (commit {}) after this translation was verified on 2026-02-01",
            &commit[..10]
        )
    );
    assert_eq!(fa_article["reasons"][0]["kind"], "translation");
}

#[test]
fn a_source_commit_later_the_same_day_still_counts() {
    let s = Site::new();
    s.git_init();
    s.file(
        "kbfresh.toml",
        "[languages.en]\nname = \"English\"\n[languages.fa]\ncontent_dir = \"content.fa\"\n",
    )
    .file("content/a.md", &article("A", "One."))
    .file("content.fa/a.md", &article("الف", "یک."));
    s.commit("both", "2026-05-01T09:00:00Z");
    s.file("content/a.md", &article("A", "Two."));
    s.commit("English again", "2026-05-01T16:00:00Z");
    s.run(&["build", "--now", "2026-05-02"]).ok();
    assert!(s.read("public/fa/a/index.html").contains("freshness-stale"));
}

#[test]
fn translation_of_links_a_file_at_another_path() {
    let s = site();
    s.remove("content.de/billing/refunds.md").file(
        "content.de/geld/erstattung.md",
        "+++\ntitle = \"Erstattung\"\ntranslation_of = \"billing/refunds.md\"\n+++\nText.\n",
    );
    s.commit("German moves", "2026-03-25");
    s.run(&["build", "--now", "2026-04-01"]).ok();
    let de = s.read("public/de/geld/erstattung/index.html");
    assert!(de.contains("<link rel=\"alternate\" hreflang=\"en\" href=\"https://help.example.com/billing/refunds/\">"));
    assert!(de.contains("freshness-fresh"), "{de}");
    assert!(
        s.read("public/billing/refunds/index.html")
            .contains("<a href=\"/de/geld/erstattung/\" hreflang=\"de\"")
    );
    // A `translation_of` naming nothing is a warning at its line and column.
    s.file(
        "content.de/geld/erstattung.md",
        "+++\ntitle = \"Erstattung\"\ntranslation_of = \"billing/nope.md\"\n+++\nText.\n",
    );
    let r = s.run(&["build", "--now", "2026-04-01"]).ok();
    assert!(
        r.stderr.contains("content.de/geld/erstattung.md:3:18: translation_of = \"billing/nope.md\": no English article at that path"),
        "{}",
        r.stderr
    );
}

#[test]
fn missing_translations_are_listed_and_can_fail_check() {
    let s = site();
    let r = s
        .run(&["check", "--now", "2026-04-01", "--fail-on", "broken-links"])
        .ok();
    assert!(
        r.stdout.contains("MISSING TRANSLATIONS: فارسی (fa) (1)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("    content/billing/invoices.md"));
    assert!(
        r.stdout
            .contains("help: add a translation at the same path in the `fa` content folder"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("MISSING TRANSLATIONS: Deutsch (de) (1)"));
    let fail_on_missing = |extra: &[&str]| {
        let base = [
            "check",
            "--now",
            "2026-04-01",
            "--fail-on",
            "missing-translations",
        ];
        s.run(&[&base[..], extra].concat())
    };
    let r = fail_on_missing(&[]).fails(1);
    assert!(r.stdout.contains("2 missing translations"), "{}", r.stdout);
    // A pull request that did not touch invoices.md is not failed by its missing translations.
    let r = fail_on_missing(&["--changed-since", "HEAD"]).ok();
    assert!(
        r.stdout.contains("MISSING TRANSLATIONS: فارسی (fa) (1)"),
        "still listed: {}",
        r.stdout
    );
    s.run(&["build", "--now", "2026-04-01"]).ok();
    let dash = s.read("public/_freshness/index.html");
    assert!(dash.contains("Missing translations"));
    assert!(dash.contains("<h3 lang=\"fa\">فارسی: 1</h3>"), "{dash}");
}

#[test]
fn language_config_errors_name_the_line() {
    let s = Site::new();
    s.file("content/a.md", "# A\n").file(
        "kbfresh.toml",
        "default_language = \"en\"\n\n[languages.en]\nname = \"English\"\n\n[languages.fa]\nname = \"فارسی\"\n",
    );
    let r = s.build().fails(2);
    assert!(
        r.stderr
            .contains("kbfresh.toml:6:1: [languages.fa] has no content_dir"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("content_dir = \"content.fa\""));

    s.file(
        "kbfresh.toml",
        "default_language = \"en\"\n\n[languages.fa]\ncontent_dir = \"content.fa\"\n",
    );
    let r = s.build().fails(2);
    assert!(
        r.stderr
            .contains("kbfresh.toml:1:20: default_language `en` has no [languages.en] table"),
        "{}",
        r.stderr
    );

    s.file(
        "kbfresh.toml",
        "[languages.en]\n[languages.fa]\ncontent_dir = \"content.fa\"\n",
    );
    let r = s.build().fails(2);
    assert!(
        r.stderr
            .contains("the content folder `content.fa` does not exist"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("[languages.fa] content_dir"));
    assert!(!r.stderr.contains("panicked"));
}

#[test]
fn a_default_folder_named_like_a_language_is_refused() {
    let s = Site::new();
    s.file(
        "kbfresh.toml",
        "[languages.en]\n[languages.fa]\ncontent_dir = \"content.fa\"\n",
    )
    .file("content/fa/x.md", "# X\n")
    .file("content.fa/y.md", "# Y\n");
    let r = s.build().fails(2);
    assert!(
        r.stderr
            .contains("`fa/x.md` is in the `fa` folder of the default language"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_translations_home_keeps_its_language_title() {
    let s = Site::new();
    s.file(
        "kbfresh.toml",
        "[languages.en]\n[languages.fa]\ncontent_dir = \"content.fa\"\ntitle = \"راهنما\"\n",
    )
    .file("content/_index.md", "# Welcome\n")
    .file("content/a.md", "# A\n")
    .file("content.fa/_index.md", "# خوش آمدید\n")
    .file("content.fa/a.md", "# الف\n");
    s.build().ok();
    let home = s.read("public/fa/index.html");
    assert!(home.contains("<title>راهنما</title>"), "{home}");
    // Its articles' section, as search shows it, is the language's home too, not the heading.
    let manifest = s.read("public/search/fa/manifest.json");
    assert!(manifest.contains("\"sections\":[\"راهنما\"]"), "{manifest}");
}

#[test]
fn a_translation_folder_outside_the_repository_gets_a_warning_not_the_whole_repository() {
    let s = Site::new();
    let repo = s.path("site");
    s.file(
        "site/kbfresh.toml",
        "[languages.en]\n[languages.fa]\ncontent_dir = \"../fa\"\n",
    )
    .file("site/content/a.md", "# A\n")
    .file("fa/a.md", "# الف\n");
    common::git_in(&repo, &["init", "-q", "-b", "main"], None);
    common::git_in(&repo, &["add", "-A"], None);
    common::git_in(
        &repo,
        &["commit", "-q", "-m", "add"],
        Some(("2026-01-01", "Ada Writer")),
    );
    let r = common::run_at(&repo, &["build", "--now", "2026-01-02"]).ok();
    assert!(
        r.stderr.contains("[languages.fa] content_dir `")
            && r.stderr.contains("is outside the git repository"),
        "{}",
        r.stderr
    );
    // The English article still has its git date; the Persian one is not given it.
    let en = std::fs::read_to_string(repo.join("public/a/index.html")).unwrap();
    assert!(en.contains("2026-01-01"), "{en}");
    let fa = std::fs::read_to_string(repo.join("public/fa/a/index.html")).unwrap();
    assert!(!fa.contains("2026-01-01"), "{fa}");
}

#[test]
fn nested_language_trees_are_read_once() {
    let s = Site::new();
    s.git_init();
    s.file(
        "kbfresh.toml",
        "[languages.en]\n[languages.fa]\ncontent_dir = \"content/fa\"\n",
    )
    .file("content/a.md", "# A\n")
    .file("content/fa/a.md", "# الف\n");
    s.commit("add", "2026-01-01");
    let r = s.run(&["build", "--now", "2026-01-02"]).ok();
    assert!(r.stdout.contains("2 articles"), "{}", r.stdout);
    assert!(s.read("public/fa/a/index.html").contains("lang=\"fa\""));
    // History found the nested tree's file.
    assert!(
        s.read("public/fa/a/index.html")
            .contains("<time datetime=\"2026-01-01\">")
    );
}

#[test]
fn a_url_collision_in_a_translation_names_the_files_where_they_are() {
    let s = Site::new();
    s.file(
        "kbfresh.toml",
        "[languages.en]\n[languages.fa]\ncontent_dir = \"content.fa\"\n",
    )
    .file("content/a.md", &article("A", "a"))
    .file("content.fa/guide/intro.md", &article("مقدمه", "یک"))
    .file("content.fa/guide/_index.md", &article("راهنما", "سه"))
    .file("content.fa/guide.md", &article("راهنما", "دو"));
    let r = s.build().fails(2);
    assert!(
        r.stderr
            .contains("`content.fa/guide/_index.md` and `content.fa/guide.md` both map to"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_bad_direction_is_located_in_its_own_language_table() {
    let s = Site::new();
    s.file(
        "kbfresh.toml",
        "[languages.en]\ndirection = \"ltr\"\n\n[languages.fa]\ncontent_dir = \"content.fa\"\ndirection = \"sideways\"\n",
    )
    .file("content/a.md", &article("A", "a"));
    let r = s.build().fails(2);
    assert!(
        r.stderr
            .contains("kbfresh.toml:6:13: [languages.fa] direction `sideways`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("help: "), "{}", r.stderr);
}

/// `--format translator`: per stale translation, the original's diff since the translation was
/// last checked, and the command that records the new check.
#[test]
fn translators_get_the_originals_changes_as_a_diff() {
    let s = site();
    let r = s
        .run(&[
            "check",
            "--offline",
            "--now",
            "2026-04-01",
            "--format",
            "translator",
        ])
        .fails(1);
    let out = &r.stdout;
    assert!(
        out.starts_with("# Translations to update, 2026-04-01\n\n1 translation whose original changed after it was last checked.\n"),
        "{out}"
    );
    assert!(
        out.contains("\n## content.fa/billing/refunds.md (فارسی)\n"),
        "{out}"
    );
    assert!(
        !out.contains("content.de/"),
        "the German one is up to date: {out}"
    );
    assert!(
        out.contains("\n-Ask within 30 days.\n+Ask within 60 days.\n"),
        "{out}"
    );
    assert!(
        out.contains("--- content/billing/refunds.md (")
            && out.contains(
                "when the translation was last checked)\n+++ content/billing/refunds.md (now)\n"
            ),
        "{out}"
    );
    assert!(
        out.contains("When it is updated: `kbfresh verify content.fa/billing/refunds.md`"),
        "{out}"
    );
    // Verified by a date in front matter (later than its commit): the original as it was at the
    // end of that day, the 60-day text, not the 30-day one of the translation's own commit.
    s.file(
        "content.fa/billing/refunds.md",
        "+++\ntitle = \"بازپرداخت\"\nverified = 2026-03-10\n+++\n\nمتن\n",
    );
    s.commit("Persian checked", "2026-03-08");
    s.file(
        "content/billing/refunds.md",
        &article("Refunds", "Ask within 90 days."),
    );
    s.commit("Even longer", "2026-03-25");
    let r = s
        .run(&[
            "check",
            "--offline",
            "--now",
            "2026-04-01",
            "--format",
            "translator",
        ])
        .fails(1);
    assert!(
        r.stdout
            .contains("\n-Ask within 60 days.\n+Ask within 90 days.\n"),
        "{}",
        r.stdout
    );
}

/// `[languages.fa] fallback = true` over the site above: `invoices.md` has no Persian version.
fn fallback_site() -> Site {
    let s = site();
    s.file(
        "kbfresh.toml",
        &CONFIG.replace(
            "content_dir = \"content.fa\"\n",
            "content_dir = \"content.fa\"\nfallback = true\n",
        ),
    )
    .file(
        "content.fa/billing/help.md",
        &article("کمک", "[فاکتورها](invoices.md) را ببینید."),
    );
    s
}

#[test]
fn a_missing_translation_falls_back_to_the_original_under_the_languages_url() {
    let s = fallback_site();
    let r = s.run(&["build", "--now", "2026-04-01"]).ok();
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    let fb = s.read("public/fa/billing/invoices/index.html");
    // The reader's language around the original's text, with a notice in the reader's language.
    assert!(fb.contains("<html lang=\"fa\" dir=\"rtl\">"), "{fb}");
    assert!(fb.contains("هنوز ترجمه نشده است"), "{fb}");
    assert!(
        fb.contains("این مقاله هنوز به فارسی ترجمه نشده است و به زبان English نمایش داده می‌شود."),
        "{fb}"
    );
    assert!(fb.contains("<h1 class=\"page-title\" lang=\"en\" dir=\"ltr\">Invoices</h1>"));
    assert!(fb.contains("<div class=\"prose\" lang=\"en\" dir=\"ltr\">"));
    assert!(fb.contains("<a href=\"/billing/invoices/\" hreflang=\"en\" lang=\"en\">English</a>"));
    assert!(fb.contains("آخرین بررسی"), "Persian chrome: {fb}");
    assert!(
        fb.contains("<time datetime=\"2026-01-10\">۱۰ ژانویه ۲۰۲۶</time>"),
        "{fb}"
    );
    // Same text as the original: the original is canonical, and no hreflang claims otherwise.
    assert!(
        fb.contains("<link rel=\"canonical\" href=\"https://help.example.com/billing/invoices/\">")
    );
    assert!(!fb.contains("hreflang=\"x-default\""), "{fb}");
    // Breadcrumbs stay in the language's own section.
    assert!(fb.contains("href=\"/fa/billing/\""), "{fb}");
    // The switcher on the original links the fallback instead of the Persian home.
    let en = s.read("public/billing/invoices/index.html");
    assert!(
        en.contains(
            "<a href=\"/fa/billing/invoices/\" hreflang=\"fa\" lang=\"fa\" dir=\"rtl\">فارسی</a>"
        ),
        "{en}"
    );
    assert!(
        !en.contains("hreflang=\"fa\" href="),
        "no alternate for the fallback: {en}"
    );
    // A Persian page's link to the untranslated article reaches the fallback.
    let help = s.read("public/fa/billing/help/index.html");
    assert!(help.contains("href=\"/fa/billing/invoices/\""), "{help}");
    // Not in the sitemap; in the Persian search.
    let sitemap = s.read("public/sitemap.xml");
    assert!(!sitemap.contains("/fa/billing/invoices/"), "{sitemap}");
    fn all_text(dir: &std::path::Path) -> String {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| match p.is_dir() {
                true => all_text(&p),
                false => std::fs::read_to_string(p).unwrap_or_default(),
            })
            .collect()
    }
    let meta = all_text(&s.path("public/search/fa"));
    assert!(meta.contains("/fa/billing/invoices/"), "{meta}");
    // German has no fallback: no page, and the team still sees both as missing.
    assert!(!s.path("public/de/billing/invoices/index.html").exists());
    let r = s.run(&["check", "--now", "2026-04-01"]).fails(1);
    assert!(
        r.stdout.contains("MISSING TRANSLATIONS: فارسی (fa) (1)"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_fallback_whose_url_is_taken_is_a_warning_and_fallback_on_the_default_language_an_error() {
    let s = fallback_site();
    // The Persian tax page took the URL the untranslated invoices page would get.
    s.file("content/billing/tax.md", &article("Tax", "VAT."))
        .file(
            "content.fa/billing/maliat.md",
            "+++\ntitle = \"مالیات\"\nslug = \"invoices\"\ntranslation_of = \"billing/tax.md\"\n+++\n\nمالیات.\n",
        );
    let r = s.run(&["build", "--now", "2026-04-01"]).ok();
    assert!(
        r.stderr.contains("`content/billing/invoices.md` has no فارسی version, and its fallback URL `/fa/billing/invoices/` is taken by `content.fa/billing/maliat.md`"),
        "{}",
        r.stderr
    );
    assert!(
        s.read("public/fa/billing/invoices/index.html")
            .contains("مالیات")
    );

    s.file(
        "kbfresh.toml",
        &CONFIG.replace(
            "name = \"English\"\n",
            "name = \"English\"\nfallback = true\n",
        ),
    );
    let r = s.run(&["build"]).fails(2);
    assert!(
        r.stderr
            .contains("[languages.en] fallback = true: `en` is the default language"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("kbfresh.toml:7:12:"), "{}", r.stderr);
}

/// `[languages.x] description` and `[languages.x.support]` are what a language's pages say; without
/// them a translated page leaves the description out and uses the theme's words for the title,
/// marking the default language's support text as such.
#[test]
fn each_language_has_its_own_description_and_support_words() {
    let s = site();
    let config = CONFIG
        .replace(
            "title = \"Acme Help\"\n",
            "title = \"Acme Help\"\ndescription = \"Answers for Acme customers\"\n",
        )
        .replace(
            "content_dir = \"content.fa\"\n",
            "content_dir = \"content.fa\"\ndescription = \"پاسخ برای مشتریان اکمی\"\n\n[languages.fa.support]\ntitle = \"هنوز کمک لازم دارید؟\"\n",
        )
        + "\n[support]\ntitle = \"Still need help?\"\ntext = \"Write to us.\"\n[[support.channels]]\nkind = \"email\"\nlabel = \"Email\"\nurl = \"help@acme.test\"\n";
    s.file("kbfresh.toml", &config);
    s.run(&["build", "--now", "2026-04-01"]).ok();
    let en = s.read("public/index.html");
    assert!(en.contains("<p class=\"hero-lead\">Answers for Acme customers</p>"));
    let fa = s.read("public/fa/index.html");
    assert!(
        fa.contains("<p class=\"hero-lead\">پاسخ برای مشتریان اکمی</p>"),
        "{fa}"
    );
    assert!(fa.contains("<meta name=\"description\" content=\"پاسخ برای مشتریان اکمی\">"));
    assert!(
        fa.contains("id=\"kb-support-title\">هنوز کمک لازم دارید؟</h2>"),
        "{fa}"
    );
    // Persian has no text of its own: the English one is marked English.
    assert!(
        fa.contains("<p class=\"support-text\" lang=\"en\" dir=\"auto\">Write to us.</p>"),
        "{fa}"
    );
    // German has neither: no English description, and the theme's German words for the title.
    let de = s.read("public/de/index.html");
    assert!(
        !de.contains("hero-lead") && !de.contains("Answers for Acme"),
        "{de}"
    );
    assert!(
        de.contains("id=\"kb-support-title\">Brauchen Sie weitere Hilfe?</h2>"),
        "{de}"
    );
    let feed = s.read("public/fa/feed.xml");
    assert!(
        feed.contains("<subtitle>پاسخ برای مشتریان اکمی</subtitle>"),
        "{feed}"
    );
    assert!(!s.read("public/de/feed.xml").contains("<subtitle>"));
}

/// kbfresh's own reasons are English: a stale page in another language, the default one included,
/// says so in the theme's words; a reason the author wrote (`outdated = "..."`) is shown as written.
#[test]
fn a_stale_page_not_in_english_says_so_in_its_own_language() {
    let s = Site::new();
    s.file(
        "kbfresh.toml",
        "title = \"Acme Hilfe\"\ndefault_language = \"de\"\n",
    )
    .file(
        "content/alt.md",
        "+++\ntitle = \"Alt\"\nverified = 2020-01-01\n+++\n\nText.\n",
    )
    .file(
        "content/markiert.md",
        "+++\ntitle = \"Markiert\"\nverified = 2026-03-01\noutdated = \"Das Menü heißt jetzt Einstellungen.\"\n+++\n\nText.\n",
    );
    s.run(&["build", "--now", "2026-04-01"]).ok();
    let old = s.read("public/alt/index.html");
    assert!(
        old.contains("<p class=\"banner-text\">Seit der letzten Prüfung können sich einige Details geändert haben.</p>"),
        "{old}"
    );
    assert!(!old.contains("last verified on"), "{old}");
    let marked = s.read("public/markiert/index.html");
    assert!(
        marked.contains("<p class=\"banner-text\">Das Menü heißt jetzt Einstellungen.</p>"),
        "{marked}"
    );
}
