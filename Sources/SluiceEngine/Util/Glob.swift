import SluiceCore

#if canImport(Glibc)
import Glibc
#endif

/// Expands path patterns: `*`, `?` and `[…]` within a path component (fnmatch), and `**` for any
/// number of directories. Results are sorted so that runs plan splits in a stable order.
public enum Glob {
    public static func expand(_ pattern: String) -> [String] {
        if !pattern.contains(where: { "*?[".contains($0) }) {
            return FileIO.exists(pattern) && !FileIO.isDirectory(pattern) ? [pattern] : []
        }
        let absolute = pattern.hasPrefix("/")
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var out: [String] = []
        walk(parts[...], dir: absolute ? "/" : "", into: &out)
        return Array(Set(out)).sorted()
    }

    private static func walk(_ parts: ArraySlice<String>, dir: String, into out: inout [String]) {
        guard let head = parts.first else { return }
        let rest = parts.dropFirst()
        let here = dir.isEmpty ? "." : dir
        if head == "**" {
            walk(rest, dir: dir, into: &out)  // zero directories
            for name in (try? FileIO.listDirectory(here)) ?? [] where !name.hasPrefix(".") {
                let p = dir.isEmpty ? name : FileIO.join(dir, name)
                if FileIO.isDirectory(p) { walk(parts, dir: p, into: &out) }
            }
            return
        }
        let isPattern = head.contains(where: { "*?[".contains($0) })
        let names: [String]
        if isPattern {
            names = ((try? FileIO.listDirectory(here)) ?? []).filter {
                (!$0.hasPrefix(".") || head.hasPrefix(".")) && fnmatch(head, $0, 0) == 0
            }
        } else {
            names = [head]
        }
        for name in names {
            let p = dir.isEmpty ? name : (dir == "/" ? "/" + name : dir + "/" + name)
            if rest.isEmpty {
                if FileIO.exists(p) && !FileIO.isDirectory(p) { out.append(p) }
            } else if FileIO.isDirectory(p) {
                walk(rest, dir: p, into: &out)
            }
        }
    }
}
