extension Int64 {
    /// `self - other`, clamped to Int64's range instead of trapping: times
    /// minus client-given offsets, ranges and lookbacks, which a query can
    /// push past either end (`@ -9e18`, `offset 290y`).
    @inline(__always) func saturatingSubtract(_ other: Int64) -> Int64 {
        let (result, overflow) = subtractingReportingOverflow(other)
        guard overflow else { return result }
        return other > 0 ? .min : .max
    }

    /// `self + other`, clamped to Int64's range instead of trapping.
    @inline(__always) func saturatingAdd(_ other: Int64) -> Int64 {
        let (result, overflow) = addingReportingOverflow(other)
        guard overflow else { return result }
        return other > 0 ? .max : .min
    }
}
