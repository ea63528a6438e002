import Foundation
import SluiceCore
import Testing

@testable import SluiceEngine

@Suite struct OCPGeneratorTests {
    static let scenario = """
        generators:
          - OCPGenerator:
              start_date: 2024-05-31
              end_date: 2024-06-02
              nodes:
                - node:
                  node_name: alpha
                  node_labels: label_zone:a
                  cpu_cores: 4
                  memory_gig: 16
                  resource_id: 123
                  node_role: infra
                  namespaces:
                    web:
                      namespace_labels: label_team:web
                      pods:
                        - pod:
                          pod_name: api
                          cpu_request: 1
                          mem_request_gig: 2
                          cpu_limit: 8
                          mem_limit_gig: 4
                          pod_seconds: 1800
                          cpu_usage: {full_period: 0.5, "6-1-2024": 6}
                          mem_usage_gig: {full_period: 3}
                          labels: label_app:api
                          replicas: 2
        """

    @Test func rowsFollowNiseArithmetic() throws {
        let dir = try GeneratorTestSupport.scratchDirectory("ocp")
        defer { GeneratorTestSupport.remove(dir) }
        let s = try OCPScenario.parse(yaml: Self.scenario, file: "s.yml")
        #expect(s.endDay - s.startDay == 2)
        let written = try OCPGenerator(s).write(to: dir)
        #expect(written.count == 6)
        #expect(try GeneratorTestSupport.listing(dir + "/pod_usage") == ["2024-05-31.csv", "2024-06-01.csv"])
        let may = try GeneratorTestSupport.lines(dir + "/pod_usage/2024-05-31.csv")
        #expect(may.count == 1 + 24 * 2)
        #expect(GeneratorTestSupport.fields(may[0]) == OCPGenerator.podUsageHeader)
        let first = GeneratorTestSupport.fields(may[1])
        let gib = 1_073_741_824.0
        #expect(first[0...6] == [
            "2024-05-01 00:00:00 +0000 UTC", "2024-06-01 00:00:00 +0000 UTC", "2024-05-31 00:00:00 +0000 UTC",
            "2024-05-31 00:59:59 +0000 UTC", "alpha", "web", "api-0",
        ])
        // cpu_limit 8 is capped at the node's 4 cores.
        #expect(Double(first[7]) == 1800 * 0.5 && Double(first[8]) == 1800 && Double(first[9]) == 1800 * 4)
        #expect(Double(first[10]) == 1800 * 3 * gib && Double(first[11]) == 1800 * 2 * gib && Double(first[12]) == 1800 * 4 * gib)
        #expect(first[13...19] == ["4", "14400", "17179869184", "61847529062400", "infra", "i-123", "label_app:api"])
        #expect(GeneratorTestSupport.fields(may[2])[6] == "api-1")
        // June 1st: the dated usage (6 cores) applies, capped at the 4-core limit; a new report period.
        let june = GeneratorTestSupport.fields(try GeneratorTestSupport.lines(dir + "/pod_usage/2024-06-01.csv")[1])
        #expect(june[0] == "2024-06-01 00:00:00 +0000 UTC" && june[1] == "2024-07-01 00:00:00 +0000 UTC")
        #expect(Double(june[7]) == 7200.0)
        let labels = try GeneratorTestSupport.lines(dir + "/namespace_labels/2024-06-01.csv")
        #expect(labels.count == 25 && GeneratorTestSupport.fields(labels[1])[4...5] == ["web", "label_team:web"])
        #expect(try GeneratorTestSupport.lines(dir + "/node_labels/2024-06-01.csv").count == 25)
    }

    @Test func badKeyNamesFileLineAndKey() {
        let yaml = Self.scenario.replacingOccurrences(of: "pod_seconds", with: "pod_secnods")
        do {
            _ = try OCPScenario.parse(yaml: yaml, file: "s.yml")
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(text.contains("s.yml:23:19:") && text.contains("pods[0].pod_secnods"), "\(text)")
            #expect(text.contains("did you mean 'pod_seconds'"), "\(text)")
        }
    }

    @Test func sameSeedSameBytes() throws {
        let yaml = """
            generators:
              - OCPGenerator:
                  start_date: 2024-01-01
                  end_date: 1
                  nodes:
                    - node:
                      node_name: n
                      namespaces:
                        ns:
                          pods:
                            - pod:
                              pod_name: p
            """
        let a = try GeneratorTestSupport.scratchDirectory("ocp-a"), b = try GeneratorTestSupport.scratchDirectory("ocp-b")
        defer { GeneratorTestSupport.remove(a); GeneratorTestSupport.remove(b) }
        _ = try OCPGenerator(try OCPScenario.parse(yaml: yaml, file: "r.yml", seed: 7), seed: 7).write(to: a)
        _ = try OCPGenerator(try OCPScenario.parse(yaml: yaml, file: "r.yml", seed: 7), seed: 7).write(to: b)
        #expect(try GeneratorTestSupport.bytes(a + "/pod_usage/2024-01-01.csv") == GeneratorTestSupport.bytes(b + "/pod_usage/2024-01-01.csv"))
        #expect(try GeneratorTestSupport.lines(a + "/pod_usage/2024-01-01.csv").count == 25)
    }
}
