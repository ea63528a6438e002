#if canImport(Glibc)
import Glibc
#endif

/// A path pattern of a watched source (`incoming/*.csv`, `drop/**/*.csv`): the folder to watch
/// (its leading components without wildcards) and a matcher for paths below it, so that an
/// inotify event's name is checked without listing the folder.
struct PathPattern: Sendable {
    let text: String
    /// The folder the pattern starts in (`.` for a bare file pattern).
    let root: String
    /// Whether files may sit in subfolders of `root` (the pattern has `**` or more than one
    /// component below the root).
    let deep: Bool
    private let components: [String]

    init(_ text: String) {
        self.text = text
        let parts = text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        components = parts
        let literal = parts.prefix { !PathPattern.isWild($0) }
        let fixed = literal.count == parts.count ? Array(parts.dropLast()) : Array(literal)
        let prefix = text.hasPrefix("/") ? "/" : ""
        root = fixed.isEmpty ? (prefix.isEmpty ? "." : "/") : prefix + fixed.joined(separator: "/")
        deep = parts.count - fixed.count > 1 || parts.contains("**")
    }

    static func isWild(_ s: String) -> Bool { s.contains(where: { "*?[".contains($0) }) }

    /// Whether `path` (spelled as the watcher spells it: `root/…`) matches.
    func matches(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let pattern = root == "." && !text.hasPrefix("./") ? ["."] + components : components
        let subject = root == "." && !path.hasPrefix("./") && !text.hasPrefix("./") ? ["."] + parts : parts
        return PathPattern.match(pattern[...], subject[...])
    }

    private static func match(_ p: ArraySlice<String>, _ s: ArraySlice<String>) -> Bool {
        guard let head = p.first else { return s.isEmpty }
        if head == "**" {
            var rest = s
            while true {
                if match(p.dropFirst(), rest) { return true }
                guard let first = rest.first, !first.hasPrefix(".") else { return false }
                rest = rest.dropFirst()
            }
        }
        guard let name = s.first else { return false }
        if isWild(head) {
            if name.hasPrefix(".") && !head.hasPrefix(".") { return false }
            guard fnmatch(head, name, 0) == 0 else { return false }
        } else if head != name {
            return false
        }
        return match(p.dropFirst(), s.dropFirst())
    }

    /// Names that are never taken: hidden files and the usual names of files still being written
    /// or copied (`.tmp`, `.part`, …), like Spark's file source, which skips `_` and `.` names.
    static func isIgnoredName(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name.hasPrefix(".") || name.hasPrefix("_") || name.hasSuffix("~") { return true }
        for suffix in [".tmp", ".part", ".partial", ".crdownload", ".swp", ".filepart"] where name.hasSuffix(suffix) { return true }
        return false
    }
}
