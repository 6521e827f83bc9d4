import ArgumentParser
import Foundation
import Logging
import Forwarding
import MeridianServer
import Metrics
import Prometheus

/// The `meridian` command.
@main
struct Meridian: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meridian",
        abstract: "Multi-datacenter metrics aggregation: remote-write receiver, time-series store, health feed.",
        subcommands: [Serve.self, Check.self],
        defaultSubcommand: Serve.self)
}

/// `meridian serve`: run a Meridian process.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run Meridian (flags override the config file).")

    @Option(help: "Config file (YAML). Without it, the embedded default (config/meridian.yaml) is used.")
    var config: String?

    @Option(help: "Address to listen on, HOST:PORT (default 127.0.0.1:9280).")
    var listen: String?

    @Option(help: "Data directory (default ./data).")
    var dataDir: String?

    @Option(help: "Role: all, center or global (default all).")
    var role: String?

    @Option(help: "This center's name (role center).")
    var center: String?

    @Option(help: "Remote-write URL of an upstream (repeatable), e.g. http://global:9280/api/v1/write.")
    var upstream: [String] = []

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        var settings = try loadConfig()
        if let listen { settings.listen = listen }
        if let dataDir { settings.dataDir = dataDir }
        if let role {
            guard let parsed = MeridianConfig.Role(rawValue: role) else {
                throw ValidationError("--role must be one of all, center, global")
            }
            settings.role = parsed
        }
        if let center { settings.topology.centerName = center }
        if !upstream.isEmpty { settings.topology.upstreams = upstream }
        do {
            for url in upstream { _ = try UpstreamURL(parsing: url) }
            try settings.validate()
        } catch let error as ConfigError {
            throw ValidationError("\(error)")
        } catch let error as ForwardError {
            throw ValidationError("--upstream: \(error.message)")
        }

        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        try await MeridianService.run(config: settings, logger: Logger(label: "meridian"), registry: registry)
    }

    private func loadConfig() throws -> MeridianConfig {
        guard let config else { return MeridianConfig.embeddedDefault() }
        let text = try String(contentsOfFile: config, encoding: .utf8)
        do {
            return try MeridianConfig.parse(yaml: text, validating: false)
        } catch {
            throw ValidationError("\(config):\n\(error)")
        }
    }
}

/// `meridian check config FILE`.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate files.", subcommands: [CheckConfig.self])
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Validate a config file and print what is wrong, with line numbers.")

    @Argument(help: "The config file.")
    var file: String

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            print("\(file): cannot read: \(error.localizedDescription)")
            throw ExitCode(2)
        }
        do {
            _ = try MeridianConfig.parse(yaml: text)
            print("\(file): OK")
        } catch {
            for problem in error.problems { print("\(file):\(problem.line.map(String.init) ?? "-"): \(problem.message)") }
            throw ExitCode(1)
        }
    }
}
