import CMalloc

/// Hands the memory a flush, cut or compaction has just freed back to the OS.
///
/// glibc keeps freed heap pages for reuse, in the arenas of the threads that
/// freed them; after the head's chunks go to disk, that is most of the
/// process, and the RSS would stay at its peak (measured: 1.4× the loaded
/// head after a flush, instead of a fraction of it). `malloc_trim` returns
/// the free pages of every arena.
/// - Complexity: O(heap pages); milliseconds, once per maintenance step.
func releaseFreedMemory() {
    #if os(Linux)
        _ = malloc_trim(0)
    #endif
}
