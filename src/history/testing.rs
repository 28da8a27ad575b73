//! Test repositories for the history module's unit tests.

use git2::{Oid, Repository};

/// Commits `files` (path -> text) as the whole tree, with the given parents, time and message.
pub fn commit_files(
    repo: &Repository,
    files: &std::collections::BTreeMap<String, String>,
    parents: &[Oid],
    time: i64,
    message: &str,
) -> Oid {
    let work = repo.workdir().unwrap();
    for dir in ["content", "src"] {
        let _ = std::fs::remove_dir_all(work.join(dir));
    }
    for (path, text) in files {
        let p = work.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let mut index = repo.index().unwrap();
    index.clear().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::new("Writer", "w@example.com", &git2::Time::new(time, 0)).unwrap();
    let parents: Vec<git2::Commit<'_>> = parents
        .iter()
        .map(|&p| repo.find_commit(p).unwrap())
        .collect();
    let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(None, &sig, &sig, message, &tree, &refs)
        .unwrap()
}
