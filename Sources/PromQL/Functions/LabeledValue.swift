import MeridianModel

/// One element of an instant vector as the function library sees it: a
/// series' labels and its value at the step. The engine's own vector type
/// maps to this at the call.
public struct LabeledValue: Sendable, Equatable {
    /// The series' labels.
    public var labels: Labels
    /// The value at the evaluation step.
    public var value: Double

    /// Creates an element.
    public init(labels: Labels, value: Double) {
        self.labels = labels
        self.value = value
    }

    /// Equal when the labels match and the values have the same bits, so NaN equals NaN in tests.
    public static func == (lhs: LabeledValue, rhs: LabeledValue) -> Bool {
        lhs.labels == rhs.labels && lhs.value.bitPattern == rhs.value.bitPattern
    }
}
