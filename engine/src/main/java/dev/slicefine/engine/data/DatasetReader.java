package dev.slicefine.engine.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slicefine.engine.tokenizer.TextTokenizer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads and validates a dataset file for a task. Text files are streamed a line (a CSV record) at a time, so
 * {@link #validate} runs in constant memory without a tokenizer; {@link #read} also keeps the examples.
 *
 * <ul>
 *   <li>text classification: .jsonl of {"text", "label", optional "text_pair"}, or .csv with those header columns;
 *   <li>causal LM: .jsonl of {"prompt", "completion"} (loss on the completion) or {"text"} (loss on every token);
 *   <li>image classification: a folder or .zip of label/image.png|jpg|jpeg.
 * </ul>
 * The field names are those of {@link DatasetOptions#fields()} (the names above by default). This is the only
 * dataset reader: the launcher, the API's upload validation and the worker's training all read through it, and every
 * problem it finds is an {@link Issue} with a stable {@link IssueCode}.
 */
public final class DatasetReader {
    /** Larger images are refused before decoding (a 1 KB PNG can claim to be 100k x 100k). */
    static final long MAX_IMAGE_PIXELS = 64L * 1024 * 1024;
    static final int MAX_IMAGE_BYTES = 64 * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final DatasetOptions options;
    private final boolean keep;
    private final ReportBuilder report;
    private final SpecialTokens special;
    private final List<Example> examples = new ArrayList<>();
    private final List<String> exampleLabels = new ArrayList<>();

    private DatasetReader(DatasetOptions options, boolean keep) {
        this.options = options;
        this.keep = keep;
        this.report = new ReportBuilder(options.labels());
        this.special = options.tokenizer() != null ? SpecialTokens.probe(options.tokenizer()) : null;
    }

    /** The examples of a dataset with no issue; otherwise a {@link DatasetException} carrying the report. */
    public static Dataset read(Path path, DatasetOptions options) {
        if (options.task() != Task.IMAGE_CLASSIFICATION && options.tokenizer() == null) {
            throw new IllegalArgumentException("reading a " + options.task().id() + " dataset needs a tokenizer");
        }
        if (options.task() == Task.IMAGE_CLASSIFICATION && options.image() == null) {
            throw new IllegalArgumentException("reading an image dataset needs an ImageSpec");
        }
        Dataset d = new DatasetReader(options, true).run(path);
        if (!d.report().ok()) {
            throw new DatasetException(d.report());
        }
        return d;
    }

    /**
     * The task a dataset is laid out for: a folder or .zip is image classification; a JSONL line whose first object
     * has the label field is text classification, one with the prompt / completion fields or the text field alone a
     * causal LM; anything else (a CSV, a file that cannot be read, no object in the first 100 lines) text
     * classification, whose validation then says what is wrong.
     */
    public static Task inferTask(Path path, DatasetFields fields) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(path) || name.endsWith(".zip")) {
            return Task.IMAGE_CLASSIFICATION;
        }
        if (!name.endsWith(".jsonl") || !Files.isRegularFile(path)) {
            return Task.TEXT_CLASSIFICATION;
        }
        try (Reader in = new java.io.BufferedReader(
                new InputStreamReader(Files.newInputStream(path), StandardCharsets.UTF_8), 1 << 16)) {
            TextLines lines = new TextLines(in);
            TextLines.Line l;
            for (int tried = 0; tried < 100 && (l = lines.readLine()) != null; tried++) {
                if (l.tooLong() || l.text().isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(stripBom(l.text()));
                } catch (JsonProcessingException e) {
                    continue;
                }
                if (node.isObject()) {
                    boolean lm = !node.has(fields.label())
                            && (node.has(fields.prompt()) || node.has(fields.completion()) || node.has(fields.text()));
                    return lm ? Task.CAUSAL_LM : Task.TEXT_CLASSIFICATION;
                }
            }
        } catch (IOException e) {
            // validation reports the file as unreadable
        }
        return Task.TEXT_CLASSIFICATION;
    }

    /** The report alone, issues included; never throws for a bad file. */
    public static ValidationReport validate(Path path, DatasetOptions options) {
        return new DatasetReader(options, false).run(path).report();
    }

    private Dataset run(Path path) {
        try {
            dispatch(path);
        } catch (IOException e) {
            report.issue(0, null, IssueCode.UNREADABLE, "cannot read " + path.getFileName() + ": " + e.getMessage());
        }
        List<String> labels = options.task() == Task.CAUSAL_LM ? List.of() : report.labels();
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            ids.put(labels.get(i), i);
        }
        List<Example> labelled = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            labelled.add(withLabel(examples.get(i), exampleLabels.get(i) == null ? -1 : ids.get(exampleLabels.get(i))));
        }
        boolean tokens = options.tokenizer() != null && options.task() != Task.IMAGE_CLASSIFICATION;
        return new Dataset(options.task(), labelled, labels, report.build(options.task(), tokens, options.maxSeqLen()));
    }

    private static Example withLabel(Example e, int label) {
        if (e instanceof Example.Text t) {
            return new Example.Text(t.line(), t.inputIds(), t.tokenTypeIds(), t.specialSuffix(), label);
        }
        if (e instanceof Example.Image im) {
            return new Example.Image(im.source(), im.pixels(), im.height(), im.width(), label);
        }
        return e;
    }

    private void dispatch(Path path) throws IOException {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!Files.exists(path)) {
            report.issue(0, null, IssueCode.UNREADABLE, path.getFileName() + " does not exist");
            return;
        }
        if (options.task() == Task.IMAGE_CLASSIFICATION) {
            report.format = "imagefolder";
            if (Files.isDirectory(path)) {
                readImageFolder(path);
            } else if (name.endsWith(".zip")) {
                readImageZip(path);
            } else {
                report.issue(0, null, IssueCode.UNKNOWN_FORMAT, "unknown extension for " + path.getFileName()
                        + ": an image dataset is a folder or a .zip of label/image.png|jpg|jpeg");
            }
            return;
        }
        boolean csv = name.endsWith(".csv") && options.task() == Task.TEXT_CLASSIFICATION;
        if (!name.endsWith(".jsonl") && !csv) {
            report.issue(0, null, IssueCode.UNKNOWN_FORMAT, "unknown extension for " + path.getFileName() + ": a " + options.task().id()
                    + " dataset is " + (options.task() == Task.TEXT_CLASSIFICATION ? ".jsonl or .csv" : ".jsonl"));
            return;
        }
        report.format = csv ? "csv" : "jsonl";
        if (Files.isDirectory(path)) {
            report.issue(0, null, IssueCode.UNREADABLE, path.getFileName() + " is a folder, not a file");
            return;
        }
        if (Files.size(path) == 0) {
            report.issue(0, null, IssueCode.EMPTY_FILE, "the file is empty");
            return;
        }
        java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        try (Reader in = new java.io.BufferedReader(new InputStreamReader(Files.newInputStream(path), utf8), 1 << 16)) {
            boolean any = csv ? readCsv(new TextLines(in)) : readJsonl(new TextLines(in));
            if (!any) {
                report.issue(0, null, IssueCode.EMPTY_FILE, "the file is empty (no line has data)");
            }
        } catch (java.nio.charset.CharacterCodingException e) {
            // Decoding runs ahead of the lines read, so no line number: the rest of the file is not read.
            report.issue(0, null, IssueCode.INVALID_UTF8, "the file is not valid UTF-8 (bytes that do not decode after "
                    + report.totalLines + " lines were read); save it as UTF-8");
        }
    }

    // ---- JSONL ----

    private boolean readJsonl(TextLines lines) throws IOException {
        boolean any = false;
        TextLines.Line l;
        while (!limitReached() && (l = lines.readLine()) != null) {
            report.totalLines = l.number();
            String text = l.number() == 1 ? stripBom(l.text()) : l.text();
            if (l.tooLong()) {
                any = true;
                report.rows++;
                report.issue(l.number(), null, IssueCode.LINE_TOO_LONG, "line longer than " + TextLines.MAX_LINE_CHARS + " characters");
                continue;
            }
            if (text.isBlank()) {
                report.blankLines++;
                continue;
            }
            any = true;
            report.rows++;
            JsonNode node;
            try {
                node = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                String why = e.getOriginalMessage();
                if (why != null && why.startsWith("Duplicate field")) {
                    report.issue(l.number(), duplicateKey(why), IssueCode.DUPLICATE_KEY, "the object has a key twice: " + why);
                } else {
                    report.issue(l.number(), null, IssueCode.INVALID_JSON, "invalid JSON: " + why);
                }
                continue;
            }
            if (!node.isObject()) {
                report.issue(l.number(), null, IssueCode.NOT_AN_OBJECT, "expected a JSON object, got " + typeName(node));
                continue;
            }
            if (report.columns == null) {
                List<String> keys = new ArrayList<>();
                node.fieldNames().forEachRemaining(keys::add);
                report.columns = keys;
            }
            if (options.task() == Task.CAUSAL_LM) {
                lmRecord(l.number(), node);
            } else {
                classificationRecord(l.number(), node);
            }
        }
        return any;
    }

    /** The field named in a Jackson "Duplicate field 'x'" message, or null. */
    private static String duplicateKey(String message) {
        int a = message.indexOf('\'');
        int b = message.indexOf('\'', a + 1);
        return a >= 0 && b > a ? message.substring(a + 1, b) : null;
    }

    private void classificationRecord(int line, JsonNode node) {
        long before = issues();
        DatasetFields f = options.fields();
        String hint = node.has(f.prompt()) || node.has(f.completion()) ? " (prompt/completion lines are a causal-lm dataset)" : "";
        String text = requireStringOr(line, node, f.text(), "missing field '" + f.text() + "'" + hint);
        String pair = node.has(f.textPair()) && !node.get(f.textPair()).isNull() ? requireString(line, node, f.textPair()) : null;
        JsonNode l = node.get(f.label());
        String label = null;
        ReportBuilder.LabelKind kind = null;
        if (l == null || l.isNull()) {
            report.issue(line, f.label(), IssueCode.MISSING_FIELD, "missing field '" + f.label() + "'" + hint);
        } else if (l.isTextual()) {
            if (l.asText().isBlank()) {
                report.issue(line, f.label(), IssueCode.EMPTY_LABEL, f.label() + " is empty");
            } else {
                label = l.asText();
                kind = ReportBuilder.LabelKind.STRING;
            }
        } else if (l.isIntegralNumber()) {
            label = l.bigIntegerValue().toString();
            kind = ReportBuilder.LabelKind.INTEGER;
        } else {
            report.issue(line, f.label(), IssueCode.WRONG_TYPE, f.label() + " must be a string or an integer, got " + typeName(l));
        }
        if (issues() == before) {
            textExample(line, text, pair, label, kind);
        }
    }

    private void textExample(int line, String text, String pair, String label, ReportBuilder.LabelKind kind) {
        DatasetFields f = options.fields();
        if (!report.acceptLabel(line, f.label(), label, kind)) {
            return;
        }
        Example.Text ex = null;
        TextTokenizer tok = options.tokenizer();
        if (tok != null) {
            TextTokenizer.Encoded e;
            try {
                e = pair == null ? tok.encode(text) : tok.encode(text, pair);
            } catch (RuntimeException err) {
                report.issue(line, f.text(), IssueCode.TOKENIZE_FAILED, "cannot tokenize: " + err.getMessage());
                return;
            }
            report.tokens(e.ids().length, options.maxSeqLen(), false);
            ex = new Example.Text(line, e.ids(), pair == null ? null : e.typeIds(), special.suffix(), -1);
        }
        report.accept(label);
        report.preview(f.text(), text, f.textPair(), pair, f.label(), label);
        if (keep) {
            examples.add(ex);
            exampleLabels.add(label);
        }
    }

    private void lmRecord(int line, JsonNode node) {
        long before = issues();
        DatasetFields f = options.fields();
        boolean pc = node.has(f.prompt()) || node.has(f.completion());
        String prompt = null;
        String completion = null;
        String text = null;
        if (pc) {
            prompt = requireString(line, node, f.prompt());
            completion = requireString(line, node, f.completion());
        } else {
            text = requireStringOr(line, node, f.text(), "missing field '" + f.text() + "' (a causal-LM line is {\""
                    + f.text() + "\"} or {\"" + f.prompt() + "\", \"" + f.completion() + "\"})");
        }
        if (issues() != before) {
            return;
        }
        TextTokenizer tok = options.tokenizer();
        if (tok != null) {
            long[] p;
            long[] c;
            try {
                p = pc ? special.strip(tok.encode(prompt).ids(), false) : new long[0];
                c = pc ? special.strip(tok.encode(completion).ids(), true) : special.strip(tok.encode(text).ids(), false);
            } catch (RuntimeException err) {
                report.issue(line, pc ? f.prompt() : f.text(), IssueCode.TOKENIZE_FAILED, "cannot tokenize: " + err.getMessage());
                return;
            }
            int eos = options.eosId() != null ? 1 : 0;
            long[] ids = new long[p.length + c.length + eos];
            long[] labels = new long[ids.length];
            System.arraycopy(p, 0, ids, 0, p.length);
            System.arraycopy(c, 0, ids, p.length, c.length);
            if (eos == 1) {
                ids[ids.length - 1] = options.eosId();
            }
            for (int i = 0; i < ids.length; i++) {
                labels[i] = i < p.length ? ExampleBatches.IGNORE_INDEX : ids[i];
            }
            int max = options.maxSeqLen();
            report.tokens(ids.length, max, pc && max > 0 && p.length >= max);
            if (keep) {
                examples.add(new Example.Lm(line, ids, labels));
                exampleLabels.add(null);
            }
        }
        report.accept(null);
        if (pc) {
            report.preview(f.prompt(), prompt, f.completion(), completion);
        } else {
            report.preview(f.text(), text);
        }
    }

    private String requireString(int line, JsonNode node, String field) {
        return requireStringOr(line, node, field, "missing field '" + field + "'");
    }

    private String requireStringOr(int line, JsonNode node, String field, String missing) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            report.issue(line, field, IssueCode.MISSING_FIELD, missing);
            return null;
        }
        if (!v.isTextual()) {
            report.issue(line, field, IssueCode.WRONG_TYPE, field + " must be a string, got " + typeName(v));
            return null;
        }
        if (v.asText().isBlank()) {
            report.issue(line, field, IssueCode.EMPTY_TEXT, field + " is empty");
            return null;
        }
        return v.asText();
    }

    private static String typeName(JsonNode n) {
        if (n.isArray()) {
            return "an array";
        }
        if (n.isObject()) {
            return "an object";
        }
        if (n.isBoolean()) {
            return "a boolean (" + n + ")";
        }
        if (n.isNumber()) {
            return "a number (" + n + ")";
        }
        if (n.isTextual()) {
            return "a string";
        }
        return n.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    // ---- CSV ----

    private boolean readCsv(TextLines lines) throws IOException {
        TextLines.Row header;
        do {
            header = lines.readRow();
        } while (header != null && header.blank());
        if (header == null) {
            return false;
        }
        report.totalLines = header.line();
        if (header.error() != null) {
            report.issue(header.line(), null, IssueCode.MALFORMED_CSV, "header: " + header.error());
            return true;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < header.fields().size(); i++) {
            String n = header.fields().get(i).trim();
            names.add(i == 0 ? stripBom(n) : n);
        }
        report.columns = names;
        DatasetFields f = options.fields();
        int text = names.indexOf(f.text());
        int label = names.indexOf(f.label());
        int pair = names.indexOf(f.textPair());
        for (String col : new String[] {f.text(), f.label()}) {
            if (!names.contains(col)) {
                report.issue(header.line(), col, IssueCode.MISSING_COLUMN, "the CSV header has no '" + col + "' column (header: " + names + ")");
            }
        }
        for (String col : new String[] {f.text(), f.label(), f.textPair()}) {
            if (names.indexOf(col) != names.lastIndexOf(col)) {
                report.issue(header.line(), col, IssueCode.DUPLICATE_COLUMN, "the CSV header has the column '" + col + "' twice");
            }
        }
        if (report.hasIssues()) {
            return true;
        }
        TextLines.Row row;
        while (!limitReached() && (row = lines.readRow()) != null) {
            report.totalLines = Math.max(report.totalLines, row.line());
            if (row.blank()) {
                report.blankLines++;
                continue;
            }
            report.rows++;
            if (row.error() != null) {
                report.issue(row.line(), null, IssueCode.MALFORMED_CSV, row.error());
                continue;
            }
            if (row.fields().size() != names.size()) {
                report.issue(row.line(), null, IssueCode.WRONG_COLUMN_COUNT, "expected " + names.size()
                        + " columns as in the header, got " + row.fields().size());
                continue;
            }
            long before = issues();
            String t = row.fields().get(text);
            String l = row.fields().get(label).trim();
            String p = pair >= 0 && !row.fields().get(pair).isEmpty() ? row.fields().get(pair) : null;
            if (t.isBlank()) {
                report.issue(row.line(), f.text(), IssueCode.EMPTY_TEXT, f.text() + " is empty");
            }
            if (p != null && p.isBlank()) {
                report.issue(row.line(), f.textPair(), IssueCode.EMPTY_TEXT, f.textPair() + " is empty");
            }
            if (l.isEmpty()) {
                report.issue(row.line(), f.label(), IssueCode.EMPTY_LABEL, f.label() + " is empty");
            }
            if (issues() == before) {
                textExample(row.line(), t, p, l, ReportBuilder.LabelKind.STRING);
            }
        }
        return true;
    }

    // ---- images ----

    private interface Opener {
        InputStream open() throws IOException;
    }

    private void readImageFolder(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            if (limitReached()) {
                break;
            }
            String rel = dir.relativize(f).toString().replace(java.io.File.separatorChar, '/');
            image(rel, () -> Files.newInputStream(f));
        }
        if (report.totalLines == 0 && !report.hasIssues()) {
            report.issue(0, null, IssueCode.EMPTY_FILE, "the folder has no image");
        }
    }

    private void readImageZip(Path zip) throws IOException {
        try (ZipFile zf = new ZipFile(zip.toFile())) {
            List<ZipEntry> entries = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> e = zf.entries(); e.hasMoreElements(); ) {
                ZipEntry z = e.nextElement();
                if (!z.isDirectory()) {
                    entries.add(z);
                }
            }
            entries.sort(java.util.Comparator.comparing(ZipEntry::getName));
            for (ZipEntry z : entries) {
                if (limitReached()) {
                    break;
                }
                String name = z.getName();
                String unsafe = unsafeEntry(name);
                if (unsafe != null) {
                    report.totalLines++;
                    report.rows++;
                    report.issue(0, name, IssueCode.UNSAFE_PATH, unsafe);
                    continue;
                }
                image(name, () -> zf.getInputStream(z));
            }
        } catch (java.util.zip.ZipException e) {
            report.issue(0, null, IssueCode.UNREADABLE, "not a valid zip file: " + e.getMessage());
            return;
        }
        if (report.totalLines == 0 && !report.hasIssues()) {
            report.issue(0, null, IssueCode.EMPTY_FILE, "the zip has no image");
        }
    }

    /** Why an entry name is refused (a path out of the archive or absolute), or null when it is safe. */
    static String unsafeEntry(String name) {
        if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")) {
            return "absolute path in the zip is refused";
        }
        for (String seg : name.split("[/\\\\]")) {
            if (seg.equals("..")) {
                return "path with '..' in the zip is refused";
            }
        }
        return null;
    }

    private void image(String name, Opener opener) {
        String[] segs = name.split("/");
        if (name.startsWith("__MACOSX/") || segs[segs.length - 1].startsWith(".")) {
            return;
        }
        report.totalLines++;
        report.rows++;
        String lower = name.toLowerCase(Locale.ROOT);
        if (!(lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg"))) {
            report.issue(0, name, IssueCode.NOT_AN_IMAGE, "not a .png, .jpg or .jpeg image");
            return;
        }
        if (segs.length < 2) {
            report.issue(0, name, IssueCode.NOT_AN_IMAGE, "the image is not inside a label folder (label/image.png)");
            return;
        }
        String label = segs[segs.length - 2];
        BufferedImage img;
        try (InputStream in = opener.open()) {
            img = decode(in);
        } catch (IOException | RuntimeException e) {
            report.issue(0, name, IssueCode.BAD_IMAGE, "cannot decode the image: " + e.getMessage());
            return;
        }
        if (!report.acceptLabel(0, name, label, ReportBuilder.LabelKind.STRING)) {
            return;
        }
        Example.Image ex = null;
        if (keep) {
            try {
                ImageSpec spec = options.image();
                ex = new Example.Image(name, ImagePreprocessor.pixels(img, spec), spec.height(), spec.width(), -1);
            } catch (RuntimeException e) {
                report.issue(0, name, IssueCode.BAD_IMAGE, e.getMessage());
                return;
            }
        } else if (options.image() != null && !options.image().doResize()
                && (img.getWidth() != options.image().width() || img.getHeight() != options.image().height())) {
            report.issue(0, name, IssueCode.BAD_IMAGE, "image is " + img.getWidth() + "x" + img.getHeight() + " but the model takes "
                    + options.image().width() + "x" + options.image().height() + " and do_resize is off");
            return;
        }
        report.accept(label);
        report.preview("image", name, "label", label);
        if (keep) {
            examples.add(ex);
            exampleLabels.add(label);
        }
    }

    private static BufferedImage decode(InputStream raw) throws IOException {
        byte[] bytes = readBounded(raw);
        try (ImageInputStream iis = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                throw new IOException("no decoder recognises its content");
            }
            ImageReader r = readers.next();
            try {
                r.setInput(iis, true, true);
                long pixels = (long) r.getWidth(0) * r.getHeight(0);
                if (pixels > MAX_IMAGE_PIXELS) {
                    throw new IOException(r.getWidth(0) + "x" + r.getHeight(0) + " is more than " + MAX_IMAGE_PIXELS + " pixels");
                }
                BufferedImage img = r.read(0);
                if (img == null) {
                    throw new IOException("empty image");
                }
                return img;
            } finally {
                r.dispose();
            }
        }
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            if (out.size() + n > MAX_IMAGE_BYTES) {
                throw new IOException("file larger than " + MAX_IMAGE_BYTES + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    // ---- helpers ----

    private boolean limitReached() {
        return options.limit() > 0 && report.valid >= options.limit();
    }

    private long issues() {
        return report.issueCountSoFar();
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }
}
