package dev.bullpen.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link in the README, {@code docs/}, {@code examples/README.md} and the modules'
 * READMEs resolves: the file exists, and a {@code #anchor} names a heading of it as GitHub slugs
 * headings. The docs were split out of one long README, and a section moved without its links is the
 * breakage a reader meets first. It lives in {@code common} only because that module builds first; it
 * reads no code.
 */
class DocumentationLinksTests {

    /** {@code [text](target)} and {@code ![alt](target)}, the target up to a space or the closing parenthesis. */
    private static final Pattern INLINE_LINK = Pattern.compile("\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    /** {@code [label]: target}, a reference definition on a line of its own. */
    private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");
    private static final Pattern HEADING = Pattern.compile("^\\s{0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern ANCHOR_TAG = Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"");
    private static final Pattern INLINE_CODE = Pattern.compile("`+[^`]*`+");

    @Test
    void everyRelativeLinkInTheDocsResolves() {
        Path root = RepositoryRoot.find();
        List<Path> files = documents(root);
        assertThat(files).contains(root.resolve("README.md"), root.resolve("docs/ARCHITECTURE.md"),
                root.resolve("examples/README.md"));

        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path file : files) {
            for (Link link : links(file)) {
                checked++;
                String problem = problem(file, link.target());
                if (problem != null) {
                    broken.add(root.relativize(file) + ":" + link.line() + ": " + link.target() + " -> " + problem);
                }
            }
        }
        // Guards the parser: finding no links at all would pass vacuously.
        assertThat(checked).as("links found").isGreaterThan(50);
        assertThat(broken).as("broken links (file:line: target -> why)").isEmpty();
    }

    @Test
    void reportsAMissingFileAndAMissingAnchor(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.md"), """
                # Title
                ## Workflows: chain, group, chord
                [ok](#workflows-chain-group-chord) [self](#title) [b](b.md#b-section)
                [gone](missing.md) [no anchor](b.md#nowhere) [bad here](#nowhere)
                ```
                [in a fence](not-checked.md)
                ```
                `[in code](not-checked-either.md)` [web](https://example.com/x.md)
                """);
        Files.writeString(dir.resolve("b.md"), "## B section\n");

        Path a = dir.resolve("a.md");
        List<String> problems = links(a).stream()
                .filter(link -> problem(a, link.target()) != null)
                .map(Link::target)
                .toList();
        assertThat(problems).containsExactly("missing.md", "b.md#nowhere", "#nowhere");
    }

    @Test
    void slugsHeadingsAsGitHubDoes() {
        assertThat(slug("Workflows: chain, group, chord")).isEqualTo("workflows-chain-group-chord");
        assertThat(slug("Command tasks (`bullpen.exec`)")).isEqualTo("command-tasks-bullpenexec");
        assertThat(slug("Remote control: `celery inspect`, `revoke`")).isEqualTo("remote-control-celery-inspect-revoke");
        assertThat(slug("Run of 2026-12-01 14:07 UTC (the machine before)"))
                .isEqualTo("run-of-2026-12-01-1407-utc-the-machine-before");
        assertThat(slug("See [Routing](routing.md) and *more*")).isEqualTo("see-routing-and-more");
        assertThat(slug("snake_case stays")).isEqualTo("snake_case-stays");
    }

    record Link(int line, String target) {
    }

    /** The problem with a link from {@code file}, or null if it resolves (or is not relative). */
    static String problem(Path file, String target) {
        if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") || target.startsWith("//")) {
            return null; // http:, https:, mailto: ... are not checked here: the build must not need the network
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
        if (!Files.exists(resolved)) {
            return "no such file " + path;
        }
        if (anchor == null || anchor.isEmpty()) {
            return null;
        }
        if (!resolved.toString().endsWith(".md")) {
            return null; // anchors into code or notebooks are line numbers and cells: not checkable here
        }
        return anchors(resolved).contains(anchor) ? null : "no heading #" + anchor + " in " + resolved.getFileName();
    }

    /** Relative and absolute link targets outside fenced blocks and code spans, with their line numbers. */
    static List<Link> links(Path file) {
        List<Link> links = new ArrayList<>();
        boolean fenced = false;
        List<String> lines = read(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.trim().startsWith("```") || line.trim().startsWith("~~~")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            String text = INLINE_CODE.matcher(line).replaceAll("");
            Matcher inline = INLINE_LINK.matcher(text);
            while (inline.find()) {
                links.add(new Link(i + 1, inline.group(1)));
            }
            Matcher reference = REFERENCE.matcher(text);
            if (reference.matches()) {
                links.add(new Link(i + 1, reference.group(1)));
            }
        }
        return links;
    }

    /** The anchors GitHub gives a file's headings (a repeated slug gets -1, -2, ...), and explicit ones. */
    static Set<String> anchors(Path file) {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : read(file)) {
            if (line.trim().startsWith("```") || line.trim().startsWith("~~~")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                String slug = slug(heading.group(2));
                int count = seen.merge(slug, 1, Integer::sum);
                anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
            }
            Matcher tag = ANCHOR_TAG.matcher(line);
            while (tag.find()) {
                anchors.add(tag.group(1));
            }
        }
        return anchors;
    }

    /**
     * GitHub's heading slug: the rendered text, lower-cased, with every character that is not a
     * letter, mark, number, connector (underscore), space or hyphen removed, and spaces made hyphens.
     */
    static String slug(String heading) {
        String text = heading
                .replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1") // a link renders as its text
                .replaceAll("<[^>]+>", "");                      // inline HTML renders no text of its own
        return text.toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
                .replace(' ', '-');
    }

    private static List<Path> documents(Path root) {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        files.add(root.resolve("examples/README.md"));
        for (String module : List.of("common", "worker", "producer", "bench")) {
            Path readme = root.resolve(module).resolve("README.md");
            if (Files.isRegularFile(readme)) {
                files.add(readme);
            }
        }
        try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(files::add);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return files;
    }


    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
