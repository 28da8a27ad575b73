//! The freshness dashboard for the docs team (`/_freshness/`): counts by status, article age, status by
//! section, what each release made stale, and the list to work through. Charts are SVG drawn at build
//! time, so the page needs no script. Not linked from customer pages, not in the sitemap.

use serde_json::{Value, json};

use super::Input;
use crate::freshness::{ReasonKind, Status, TrendPoint, date_of};
use crate::html::escape_attr;

const BUCKETS: [(&str, i32); 6] = [
    ("under 1 month", 30),
    ("1–3 months", 91),
    ("3–6 months", 182),
    ("6–12 months", 365),
    ("1–2 years", 730),
    ("over 2 years", i32::MAX),
];

const COLORS: [&str; 7] = [
    "#1a7f37", "#4c9a2a", "#9a6700", "#bc4c00", "#cf222e", "#82071e", "#6e7781",
];

fn status_color(s: Status) -> &'static str {
    match s {
        Status::Fresh => "#1a7f37",
        Status::Expiring => "#9a6700",
        Status::Stale => "#cf222e",
        Status::Unknown => "#6e7781",
    }
}

/// A bar chart with a label and count under each bar.
fn bar_chart(title: &str, bars: &[(String, usize, &str)]) -> String {
    // Many bars: labels are angled so they do not overlap.
    let angled = bars.len() > 8;
    let (w, h, top, bottom) = (
        720.0_f64,
        if angled { 270.0 } else { 240.0 },
        24.0_f64,
        if angled { 74.0 } else { 44.0 },
    );
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let n = bars.len().max(1) as f64;
    let slot = w / n;
    let bw = (slot * 0.7).min(80.0);
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        escape_attr(title),
        escape_attr(title)
    );
    for (i, (label, count, color)) in bars.iter().enumerate() {
        let bh = (*count as f64 / max) * (h - top - bottom);
        let x = slot * i as f64 + (slot - bw) / 2.0;
        let y = h - bottom - bh;
        s.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" rx=\"3\" fill=\"{color}\"><title>{}: {count}</title></rect>",
            escape_attr(label)
        ));
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"{}\" font-weight=\"600\" fill=\"currentColor\">{count}</text>",
            x + bw / 2.0,
            y - 6.0,
            if angled { 10 } else { 14 }
        ));
        let (lx, ly) = (x + bw / 2.0, h - bottom + 16.0);
        if angled {
            s.push_str(&format!(
                "<text x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"currentColor\" transform=\"rotate(-40 {lx:.1} {ly:.1})\">{}</text>",
                escape_attr(label)
            ));
        } else {
            s.push_str(&format!(
                "<text x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" font-size=\"12\" fill=\"currentColor\">{}</text>",
                escape_attr(label)
            ));
        }
    }
    s.push_str("</svg>");
    s
}

/// One stacked horizontal bar: fresh, expiring, stale, unknown.
fn stacked(counts: [usize; 4]) -> String {
    let total: usize = counts.iter().sum();
    let mut s = String::from(
        "<svg class=\"stack\" viewBox=\"0 0 200 14\" preserveAspectRatio=\"none\" aria-hidden=\"true\" xmlns=\"http://www.w3.org/2000/svg\">",
    );
    let mut x = 0.0_f64;
    for (c, st) in counts.iter().zip([
        Status::Fresh,
        Status::Expiring,
        Status::Stale,
        Status::Unknown,
    ]) {
        if *c == 0 || total == 0 {
            continue;
        }
        let w = 200.0 * *c as f64 / total as f64;
        s.push_str(&format!(
            "<rect x=\"{x:.2}\" y=\"0\" width=\"{w:.2}\" height=\"14\" fill=\"{}\"/>",
            status_color(st)
        ));
        x += w;
    }
    s.push_str("</svg>");
    s
}

/// Freshness over time: one column per point, its fresh, due, stale and unknown shares stacked
/// to 100%, with the target as a dashed line.
fn trend_chart(points: &[TrendPoint], target: Option<f64>) -> String {
    let (w, h, top, bottom, left) = (720.0_f64, 260.0_f64, 16.0_f64, 64.0_f64, 40.0_f64);
    let plot = h - top - bottom;
    let n = points.len().max(1) as f64;
    let slot = (w - left) / n;
    let bw = (slot * 0.7).min(60.0);
    let title = "Share of articles fresh, due, stale and never verified over time";
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{title}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{title}</title>"
    );
    for pct in [0, 50, 100] {
        let y = top + plot * (1.0 - f64::from(pct) / 100.0);
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"currentColor\">{pct}%</text>",
            left - 6.0,
            y + 4.0
        ));
    }
    for (i, p) in points.iter().enumerate() {
        let total = p.total().max(1) as f64;
        let x = left + slot * i as f64 + (slot - bw) / 2.0;
        let mut y = top + plot;
        for (count, st, name) in [
            (p.fresh, Status::Fresh, "fresh"),
            (p.due, Status::Expiring, "due"),
            (p.stale, Status::Stale, "stale"),
            (p.unknown, Status::Unknown, "never verified"),
        ] {
            if count == 0 {
                continue;
            }
            let bh = plot * count as f64 / total;
            y -= bh;
            s.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"{}\"><title>{}: {count} {name} of {}</title></rect>",
                status_color(st),
                escape_attr(&p.label),
                p.total()
            ));
        }
        let (lx, ly) = (x + bw / 2.0, top + plot + 14.0);
        s.push_str(&format!(
            "<text x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"currentColor\" transform=\"rotate(-40 {lx:.1} {ly:.1})\">{}</text>",
            escape_attr(&p.label)
        ));
    }
    if let Some(t) = target {
        let y = top + plot * (1.0 - t);
        s.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{w}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"currentColor\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"><title>target: {:.0}% fresh</title></line>",
            t * 100.0
        ));
    }
    s.push_str("</svg>");
    s
}

fn idx(s: Status) -> usize {
    match s {
        Status::Fresh => 0,
        Status::Expiring => 1,
        Status::Stale => 2,
        Status::Unknown => 3,
    }
}

/// The `dashboard` value for `dashboard.html`.
pub fn context(input: &Input<'_>, now: jiff::Timestamp, url: &dyn Fn(&str) -> String) -> Value {
    let site = input.site;
    let today = date_of(now);
    let mut counts = [0usize; 4];
    let mut ages = [0usize; 7];
    let mut per_section: Vec<[usize; 4]> = vec![[0; 4]; site.sections.len()];
    let mut per_release = vec![0usize; input.releases.len()];
    for (i, f) in input.freshness.iter().enumerate() {
        counts[idx(f.status)] += 1;
        match f.last_verified {
            Some(d) => {
                let days = (today - d).get_days();
                let b = BUCKETS
                    .iter()
                    .position(|(_, max)| days < *max)
                    .unwrap_or(BUCKETS.len() - 1);
                ages[b] += 1;
            }
            None => ages[6] += 1,
        }
        // Count the article in its section and every ancestor.
        for s in site.section_chain(site.articles[i].section) {
            per_section[s][idx(f.status)] += 1;
        }
        for r in &f.reasons {
            if matches!(r.kind, ReasonKind::Release | ReasonKind::Covers)
                && r.status == Status::Stale
                && let Some(rel) = r.release
            {
                per_release[rel] += 1;
            }
        }
    }
    let age_bars: Vec<(String, usize, &str)> = BUCKETS
        .iter()
        .map(|(l, _)| l.to_string())
        .chain(std::iter::once("never".to_string()))
        .zip(ages)
        .zip(COLORS)
        .map(|((l, c), col)| (l, c, col))
        .collect();
    let target = site.config.dashboard.target;
    let sections: Vec<Value> = site
        .sections
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(s, _)| per_section[*s].iter().sum::<usize>() > 0)
        .map(|(s, sec)| {
            let c = per_section[s];
            // A translation's tree sits under its language's row.
            let depth = site.section_chain(s).len() + usize::from(sec.lang > 0) - 2;
            let title = if sec.parent.is_none() {
                site.languages[sec.lang].name.clone()
            } else {
                sec.title.clone()
            };
            let total = c.iter().sum::<usize>();
            json!({
                "title": title, "url": url(&sec.path), "depth": depth,
                "fresh": c[0], "expiring": c[1], "stale": c[2], "unknown": c[3],
                "total": total, "bar_svg": stacked(c),
                "fresh_share": percent(c[0], total),
                "target_met": target.map(|t| c[0] as f64 >= t * total as f64),
            })
        })
        .collect();
    let recent: Vec<usize> = (0..input.releases.len()).rev().take(24).collect();
    let release_bars: Vec<(String, usize, &str)> = recent
        .iter()
        .rev()
        .map(|&r| (input.releases[r].tag.clone(), per_release[r], "#cf222e"))
        .collect();
    let releases: Vec<Value> = recent
        .iter()
        .map(|&r| {
            json!({
                "tag": input.releases[r].tag,
                "date": date_of(input.releases[r].date).to_string(),
                "stale": per_release[r],
            })
        })
        .collect();
    let mut list: Vec<usize> = (0..site.articles.len())
        .filter(|&i| input.freshness[i].status != Status::Fresh)
        .collect();
    list.sort_by_key(|&i| {
        let f = &input.freshness[i];
        (
            std::cmp::Reverse(f.status),
            site.articles[i].owner.clone(),
            site.articles[i].path.clone(),
        )
    });
    let articles: Vec<Value> = list
        .iter()
        .map(|&i| {
            let a = &site.articles[i];
            let f = &input.freshness[i];
            json!({
                "title": a.title, "url": url(&a.path), "path": a.src.shown.display().to_string(),
                "section": site.sections[a.section].title, "owner": a.owner.clone().unwrap_or_default(),
                "status": f.status, "last_verified": f.last_verified.map(|d| d.to_string()),
                "readers": if f.banner.is_some() { "a banner" } else if f.current.is_some() { "a current-version note" } else { "no warning" },
                "reasons": f.reasons.iter().map(|r| r.message.clone()).collect::<Vec<_>>(),
                "verify": crate::freshness::verify_command(&a.src.shown.display().to_string()),
            })
        })
        .collect();
    // The trend ends with today, counted as the rest of the page counts it.
    let mut trend: Vec<TrendPoint> = input.trend.to_vec();
    if !trend.is_empty() {
        trend.push(TrendPoint {
            label: "today".into(),
            date: today,
            fresh: counts[0],
            due: counts[1],
            stale: counts[2],
            unknown: counts[3],
        });
    }
    let total = input.freshness.len();
    json!({
        "target": target.map(percent_f),
        "fresh_share": percent(counts[0], total),
        "target_met": target.map(|t| counts[0] as f64 >= t * total as f64),
        "trend_by": if input.releases.iter().filter(|r| r.date < now).count() >= crate::freshness::TREND_MIN_RELEASES { "release" } else { "month" },
        "trend_svg": if trend.is_empty() { String::new() } else { trend_chart(&trend, target) },
        "trend": trend.iter().map(|p| json!({
            "label": p.label, "date": p.date.to_string(), "fresh": p.fresh, "due": p.due,
            "stale": p.stale, "unknown": p.unknown, "total": p.total(),
            "fresh_share": percent(p.fresh, p.total()),
        })).collect::<Vec<_>>(),
        "generated": today.to_string(),
        "total": input.freshness.len(),
        "fresh": counts[0], "expiring": counts[1], "stale": counts[2], "unknown": counts[3],
        "banners": input.freshness.iter().filter(|f| f.banner.is_some()).count(),
        "age_svg": bar_chart("Articles by time since last verification", &age_bars),
        "ages": age_bars.iter().map(|(l, c, _)| json!({ "label": l, "count": c })).collect::<Vec<_>>(),
        "sections": sections,
        "releases": releases,
        "releases_svg": if release_bars.is_empty() { String::new() } else { bar_chart("Articles each release made stale", &release_bars) },
        "articles": articles,
        "missing_translations": missing_translations(site, url),
        "snippets": snippets(input, url),
    })
}

/// `part` of `whole` as a whole percentage for people (`"96%"`); rounded down, so 99.6% is not
/// shown as meeting a 100% target.
fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "–".into();
    }
    format!("{}%", part * 100 / whole)
}

fn percent_f(share: f64) -> String {
    let p = share * 100.0;
    if p.fract() == 0.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// Every included file (snippet, code listing) with the articles that show it and when it last
/// changed: a change to it reaches each of them (their reasons say so).
fn snippets(input: &Input<'_>, url: &dyn Fn(&str) -> String) -> Vec<Value> {
    let site = input.site;
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); site.includes.len()];
    for i in 0..site.articles.len() {
        for j in site.included_by(i) {
            if users[j].last() != Some(&i) {
                users[j].push(i);
            }
        }
    }
    site.includes
        .iter()
        .zip(users)
        .filter(|(_, u)| !u.is_empty())
        .map(|(inc, u)| {
            json!({
                "path": inc.shown.display().to_string(),
                "count": u.len(),
                "articles": u.iter().map(|&i| {
                    let a = &site.articles[i];
                    json!({ "title": a.title, "url": url(&a.path), "status": input.freshness[i].status })
                }).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// Per translated language: how many of the default language's articles it lacks, and the first few.
fn missing_translations(site: &crate::content::Site, url: &dyn Fn(&str) -> String) -> Vec<Value> {
    const SHOWN: usize = 100;
    site.missing_translations()
        .into_iter()
        .map(|(l, missing)| {
            json!({
                "code": site.languages[l].code,
                "name": site.languages[l].name,
                "count": missing.len(),
                "articles": missing.iter().take(SHOWN).map(|&i| {
                    let a = &site.articles[i];
                    json!({ "title": a.title, "url": url(&a.path), "path": a.src.shown.display().to_string() })
                }).collect::<Vec<_>>(),
                "more": missing.len().saturating_sub(SHOWN),
            })
        })
        .collect()
}
