import Foundation
import TestSupport

/// A query API answer reduced to what the comparison looks at.
struct QueryOutcome: Sendable {
    /// A point: timestamp in ms and the value exactly as the server wrote it.
    struct Point: Sendable, Equatable {
        let t: Int64
        let value: String
    }

    /// One series of a vector (one point) or a matrix (its points).
    struct Series: Sendable {
        let labels: [String: String]
        let points: [Point]

        var labelText: String {
            "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ", ") + "}"
        }
    }

    enum Body: Sendable {
        /// `resultType` and the series (one unlabelled series for a scalar or string).
        case success(resultType: String, series: [Series])
        case error(errorType: String, message: String)
        /// Not the API's JSON shape at all.
        case malformed(String)
    }

    /// What a request brought back.
    enum Fetched: Sendable {
        case response(HTTPResult)
        case transportError(String)
    }

    let httpStatus: Int
    let body: Body

    /// Parses a `/api/v1/query` or `/api/v1/query_range` response, or the
    /// list of `/api/v1/series`, `/api/v1/labels` or `/api/v1/label/…/values`.
    init(_ response: HTTPResult) { self.init(httpStatus: response.status, json: response.body) }

    /// Parses an answer given as its status and body.
    init(httpStatus: Int, json: Data) { self.init(httpStatus: httpStatus, body: Self.parse(json)) }

    private init(httpStatus: Int, body: Body) {
        self.httpStatus = httpStatus
        self.body = body
    }

    /// A transport failure is a malformed answer with HTTP status 0, reported like any other difference.
    init(_ fetched: Fetched) {
        switch fetched {
        case .response(let response): self.init(response)
        case .transportError(let error): self.init(httpStatus: 0, body: .malformed("transport error: \(error)"))
        }
    }

    private static func parse(_ json: Data) -> Body {
        let text = String(decoding: json.prefix(200), as: UTF8.self)
        guard let object = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any],
            let status = object["status"] as? String
        else { return .malformed("not JSON: \(text)") }
        if status == "error" {
            return .error(
                errorType: object["errorType"] as? String ?? "<none>", message: object["error"] as? String ?? "<none>")
        }
        // The series, labels and label-values endpoints answer with a list.
        if status == "success", let list = object["data"] as? [[String: String]] {
            return .success(resultType: "series list", series: list.map { Series(labels: $0, points: []) })
        }
        if status == "success", let list = object["data"] as? [String] {
            return .success(resultType: "name list", series: list.map { Series(labels: ["name": $0], points: []) })
        }
        guard status == "success", let data = object["data"] as? [String: Any],
            let resultType = data["resultType"] as? String
        else { return .malformed("unexpected shape: \(text)") }
        switch resultType {
        case "scalar", "string":
            guard let pair = data["result"] as? [Any], let point = point(pair) else {
                return .malformed("bad \(resultType): \(text)")
            }
            return .success(resultType: resultType, series: [Series(labels: [:], points: [point])])
        case "vector", "matrix":
            guard let items = data["result"] as? [[String: Any]] else { return .malformed("bad result: \(text)") }
            var series: [Series] = []
            for item in items {
                guard let labels = item["metric"] as? [String: String] else {
                    return .malformed("bad metric in \(item)")
                }
                let raw: [Any]? =
                    resultType == "vector" ? (item["value"] as? [Any]).map { [$0] } : item["values"] as? [Any]
                guard let points = raw?.compactMap({ ($0 as? [Any]).flatMap(point) }), points.count == raw?.count else {
                    return .malformed("bad points in \(item)")
                }
                series.append(Series(labels: labels, points: points))
            }
            return .success(resultType: resultType, series: series)
        default:
            return .malformed("unknown resultType \(resultType)")
        }
    }

    /// `[1700000000.123, "1.5"]`: seconds as a JSON number, the value as a string.
    private static func point(_ pair: [Any]) -> Point? {
        guard pair.count == 2, let seconds = (pair[0] as? NSNumber)?.doubleValue, let value = pair[1] as? String else {
            return nil
        }
        return Point(t: Int64((seconds * 1000).rounded()), value: value)
    }
}
