import Testing

import SluiceCore

private func str(_ s: String) -> Scalar { .string(s) }

@Suite("Label functions")
struct LabelFunctionTests {
    static let batch = makeBatch([
        ("pod", .dictionary, [
            str("label_app:web|label_env:prod"), str("label_env:dev|label_app:api|junk|label_:x|:y"), .null,
            str("label_app:web|label_env:prod"), str("label_a\"b:quote\\back|label_tab:\t"),
        ]),
        ("node", .string, [str("{\"zone\":\"a\",\"env\":\"node\"}"), str("{}"), str("{\"zone\":\"b\"}"), .null, str("not json")]),
        ("ns", .dictionary, [str("{\"env\":\"ns\",\"team\":\"x\"}"), .null, str("{\"team\":\"y\"}"), str("{\"env\":\"ns\",\"team\":\"x\"}"), str("{}")]),
    ])

    @Test func parseLabelsGivesSortedJSON() throws {
        #expect(try values("parse_labels(pod)", Self.batch) == [
            str("{\"app\":\"web\",\"env\":\"prod\"}"), str("{\"app\":\"api\",\"env\":\"dev\"}"), .null,
            str("{\"app\":\"web\",\"env\":\"prod\"}"), str("{\"a\\\"b\":\"quote\\\\back\",\"tab\":\"\\t\"}"),
        ])
        #expect(try evaluate("parse_labels(pod)", Self.batch).type == .dictionary)
        #expect(try BoundExpression(parsing: "parse_labels('label_k:v|label_k:w')", schema: Self.batch.schema).constantValue == str("{\"k\":\"w\"}"))
    }

    /// Node, then namespace, then pod: later maps win, as Trino's map_concat; nulls are empty maps.
    @Test func mergePrecedence() throws {
        #expect(try values("merge_labels(node, ns, parse_labels(pod))", Self.batch) == [
            str("{\"app\":\"web\",\"env\":\"prod\",\"team\":\"x\",\"zone\":\"a\"}"),
            str("{\"app\":\"api\",\"env\":\"dev\"}"),
            str("{\"team\":\"y\",\"zone\":\"b\"}"),
            str("{\"app\":\"web\",\"env\":\"prod\",\"team\":\"x\"}"),
            str("{\"a\\\"b\":\"quote\\\\back\",\"tab\":\"\\t\"}"),
        ])
    }

    /// All-dictionary arguments: one merge per distinct combination, a dictionary result.
    @Test func dictionaryCombinationsMergeOnce() throws {
        let out = try BoundExpression(parsing: "merge_labels(ns, parse_labels(pod))", schema: Self.batch.schema).evaluate(Self.batch)
        #expect(out.type == .dictionary)
        #expect(out.dictionary?.values.count == 4)
        #expect(out.scalar(at: 0) == out.scalar(at: 3))
    }

    @Test func filterKeepsEnabledKeys() throws {
        #expect(try values("filter_labels(merge_labels(node, ns), 'env', 'zone')", Self.batch) == [
            str("{\"env\":\"ns\",\"zone\":\"a\"}"), str("{}"), str("{\"zone\":\"b\"}"), str("{\"env\":\"ns\"}"), str("{}"),
        ])
        #expect(errorMessage("filter_labels(node, pod)", Self.batch)?.contains("string literal") == true)
    }
}
