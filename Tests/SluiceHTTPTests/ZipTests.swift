import Testing

@testable import SluiceHTTP

@Suite struct ZipTests {
    @Test func writtenArchivesReadBackWithCRCChecks() throws {
        let csv = Array(String(repeating: "2023-08-13T02:00:00-00:00,1465.5\n", count: 200).utf8)
        let zip = ZipWriter.archive([("a.csv", csv), ("b.txt", Array("hi".utf8))])
        let archive = try ZipArchive(zip)
        #expect(archive.entries.map(\.name) == ["a.csv", "b.txt"])
        #expect(archive.entries[0].method == 8)
        #expect(archive.entries[0].compressedSize < csv.count)
        #expect(try archive.data(archive.entries[0]) == csv)
        #expect(try archive.data(archive.entries[1]) == Array("hi".utf8))
    }

    @Test func aCutOrCorruptZipIsARetryableProblem() throws {
        let zip = ZipWriter.archive([("a.csv", Array(String(repeating: "x,y\n", count: 500).utf8))])
        do {
            _ = try ZipArchive(Array(zip.prefix(zip.count / 2)))
            Issue.record("a half zip parsed")
        } catch {
            #expect(error.retryable)
            #expect(error.message.contains("cut short"))
        }
        var corrupt = zip
        corrupt[40] ^= 0xFF
        let archive = try ZipArchive(corrupt)
        #expect(throws: BodyProblem.self) { try archive.data(archive.entries[0]) }
        do {
            _ = try ZipArchive(Array("<html>proxy error</html>".utf8))
        } catch {
            #expect(error.retryable)
            #expect(error.message.contains("not a zip"))
        }
    }

    @Test func oasisErrorsInsideTheZipAreDetected() throws {
        let noData = ZipWriter.archive([("INVALID_REQUEST.xml", Array(MockOASISData.errorXML(code: "1000", message: "No data returned for the specified selection", at: 0).utf8))])
        #expect(try OASISBody.csvMembers(noData).isEmpty)
        let tooLong = ZipWriter.archive([("INVALID_REQUEST.xml", Array(MockOASISData.errorXML(code: "1004", message: "Data can be requested for period of 31 days only", at: 0).utf8))])
        do {
            _ = try OASISBody.csvMembers(tooLong, contentDisposition: "inline; filename=INVALID_REQUEST.xml.zip")
            Issue.record("1004 was not an error")
        } catch {
            #expect(!error.retryable)
            #expect(error.message == "OASIS error 1004: Data can be requested for period of 31 days only")
        }
        let busy = ZipWriter.archive([("INVALID_REQUEST.xml", Array(MockOASISData.errorXML(code: "1015", message: "GroupZip DownLoad is in Processing, Please Submit request after Sometime.", at: 0).utf8))])
        do {
            _ = try OASISBody.csvMembers(busy)
        } catch {
            #expect(error.retryable)
        }
        let ok = ZipWriter.archive([("x_v1.csv", Array("A,B\n1,2\n".utf8))])
        #expect(try OASISBody.csvMembers(ok) == [Array("A,B\n1,2\n".utf8)])
    }
}
