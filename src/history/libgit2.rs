//! libgit2's process-wide settings for one long walk: its object cache, its pack windows, strict
//! hash verification, and its allocator (mimalloc, through [`GitAllocator`]).

/// Sets libgit2 up for one long walk. The walk holds the trees it needs itself
/// ([`treediff::TreeReader`]), so libgit2's object cache keeps no trees: it evicts at random once
/// full, and keeping a 30,000-commit walk's trees there took 512 MiB to be fast; commits stay
/// cached (a parent is looked up again as the next commit).
///
/// # Safety
/// Sets libgit2 globals without synchronization, and its allocator: call it before any other thread
/// exists and before any other libgit2 call (first thing in `main`), and at most once.
pub unsafe fn tune_libgit2() {
    // SAFETY: the first libgit2 call of the process (this function's contract), so libgit2 has
    // allocated nothing yet: every block it ever frees comes from the allocator set here. libgit2
    // copies the struct, and keeps the allocator it was given before `git_libgit2_init`.
    unsafe {
        libgit2_sys::git_libgit2_opts(
            libgit2_sys::GIT_OPT_SET_ALLOCATOR as std::ffi::c_int,
            &raw const GIT_ALLOCATOR,
        );
    }
    // Like the git command line, do not re-hash every object read (SHA-1 with collision detection was
    // the largest cost of a walk); objects still come from the repository's own checksummed packs.
    git2::opts::strict_hash_verification(false);
    // SAFETY: this function's own contract: no other thread exists yet.
    unsafe {
        let _ = git2::opts::set_cache_object_limit(git2::ObjectType::Tree, 0);
        let _ = git2::opts::set_cache_object_limit(git2::ObjectType::Commit, 64 << 10);
        let _ = git2::opts::set_cache_max_size(32 << 20);
        // libgit2 reads only what rename detection needs from the packs (trees and commits come
        // through gitoxide's reader, which maps the packs itself): small windows, so the pages it
        // touches are not resident twice (its default 1 GiB windows added 250 MiB of resident
        // pages at 100,000 articles).
        let _ = git2::opts::set_mwindow_size(4 << 20);
        let _ = git2::opts::set_mwindow_mapped_limit(16 << 20);
    }
}

/// libgit2's `git_allocator` (include/git2/sys/alloc.h), which libgit2-sys does not declare.
#[repr(C)]
struct GitAllocator {
    gmalloc:
        extern "C" fn(usize, *const std::ffi::c_char, std::ffi::c_int) -> *mut std::ffi::c_void,
    grealloc: extern "C" fn(
        *mut std::ffi::c_void,
        usize,
        *const std::ffi::c_char,
        std::ffi::c_int,
    ) -> *mut std::ffi::c_void,
    gfree: extern "C" fn(*mut std::ffi::c_void),
}

/// libgit2 allocates through mimalloc, like the rest of the process: with the C library's malloc, a
/// 300,000-commit walk spent a seventh of its time in `malloc` and `free` (unpacked objects and delta
/// bases are allocated and freed for every tree read).
static GIT_ALLOCATOR: GitAllocator = GitAllocator {
    gmalloc: git_malloc,
    grealloc: git_realloc,
    gfree: git_free,
};

extern "C" fn git_malloc(
    n: usize,
    _file: *const std::ffi::c_char,
    _line: std::ffi::c_int,
) -> *mut std::ffi::c_void {
    // SAFETY: mi_malloc accepts any size and returns null on failure, as libgit2 expects.
    unsafe { libmimalloc_sys::mi_malloc(n) }
}

extern "C" fn git_realloc(
    p: *mut std::ffi::c_void,
    n: usize,
    _file: *const std::ffi::c_char,
    _line: std::ffi::c_int,
) -> *mut std::ffi::c_void {
    // SAFETY: `p` is null or a block from `git_malloc`/`git_realloc` (libgit2 uses one allocator
    // throughout), which is what mi_realloc requires.
    unsafe { libmimalloc_sys::mi_realloc(p, n) }
}

extern "C" fn git_free(p: *mut std::ffi::c_void) {
    // SAFETY: as for `git_realloc`; mi_free ignores null.
    unsafe { libmimalloc_sys::mi_free(p) }
}
