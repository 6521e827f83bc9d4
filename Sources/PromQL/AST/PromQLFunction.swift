/// A PromQL function's signature, as Prometheus 2.42 declares it: the parser
/// checks calls against it, the engine dispatches on ``name``.
public struct PromQLFunction: Sendable, Equatable {
    /// The name as written in queries.
    public let name: String
    /// The types of the arguments, in order.
    public let argTypes: [ValueType]
    /// How many trailing arguments may be left out (0: none); -1 for "any
    /// number of repetitions of the last type" (`label_join`).
    public let variadic: Int
    public let returnType: ValueType

    init(_ name: String, _ argTypes: [ValueType], _ returnType: ValueType, variadic: Int = 0) {
        self.name = name
        self.argTypes = argTypes
        self.returnType = returnType
        self.variadic = variadic
    }

    /// The function called `name`, nil for an unknown one.
    public static func named(_ name: String) -> PromQLFunction? { table[name] }

    /// Every function, by name (native-histogram functions are out of scope).
    public static let table: [String: PromQLFunction] = {
        var all: [PromQLFunction] = [
            .init("absent", [.vector], .vector),
            .init("absent_over_time", [.matrix], .vector),
            .init("present_over_time", [.matrix], .vector),
            .init("changes", [.matrix], .vector),
            .init("clamp", [.vector, .scalar, .scalar], .vector),
            .init("clamp_max", [.vector, .scalar], .vector),
            .init("clamp_min", [.vector, .scalar], .vector),
            .init("delta", [.matrix], .vector),
            .init("deriv", [.matrix], .vector),
            .init("histogram_quantile", [.scalar, .vector], .vector),
            .init("holt_winters", [.matrix, .scalar, .scalar], .vector),
            .init("idelta", [.matrix], .vector),
            .init("increase", [.matrix], .vector),
            .init("irate", [.matrix], .vector),
            .init("label_replace", [.vector, .string, .string, .string, .string], .vector),
            .init("label_join", [.vector, .string, .string, .string], .vector, variadic: -1),
            .init("pi", [], .scalar),
            .init("predict_linear", [.matrix, .scalar], .vector),
            .init("quantile_over_time", [.scalar, .matrix], .vector),
            .init("rate", [.matrix], .vector),
            .init("resets", [.matrix], .vector),
            .init("round", [.vector, .scalar], .vector, variadic: 1),
            .init("scalar", [.vector], .scalar),
            .init("sort", [.vector], .vector),
            .init("sort_desc", [.vector], .vector),
            .init("time", [], .scalar),
            .init("timestamp", [.vector], .vector),
            .init("vector", [.scalar], .vector),
        ]
        for name in ["avg", "min", "max", "sum", "count", "stddev", "stdvar", "last"] {
            all.append(.init("\(name)_over_time", [.matrix], .vector))
        }
        let elementwise = [
            "abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "sgn", "deg", "rad",
            "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
        ]
        for name in elementwise { all.append(.init(name, [.vector], .vector)) }
        // Date functions default to the evaluation time: `hour()` means `hour(vector(time()))`.
        for name in ["day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year"] {
            all.append(.init(name, [.vector], .vector, variadic: 1))
        }
        return Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    }()
}
