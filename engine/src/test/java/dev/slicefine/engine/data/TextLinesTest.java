package dev.slicefine.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming line and RFC 4180 record reader under the JSONL and CSV readers. */
class TextLinesTest {

    static List<TextLines.Row> rows(String csv) throws IOException {
        TextLines t = new TextLines(new StringReader(csv));
        List<TextLines.Row> out = new ArrayList<>();
        TextLines.Row r;
        while ((r = t.readRow()) != null) {
            out.add(r);
        }
        return out;
    }

    @Test
    void parsesQuotedFieldsWithCommasQuotesAndLineBreaks() throws IOException {
        List<TextLines.Row> rows = rows("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"x\r\ny\",,\"\"\nlast,row,end");

        assertThat(rows).extracting(TextLines.Row::fields).containsExactly(
                List.of("a", "b,c", "say \"hi\""),
                List.of("x\r\ny", "", ""),
                List.of("last", "row", "end"));
        assertThat(rows).extracting(TextLines.Row::line).containsExactly(1, 2, 4);
        assertThat(rows).extracting(TextLines.Row::error).containsOnlyNulls();
    }

    @Test
    void oldMacLineEndsAndBlankLinesAreRecognised() throws IOException {
        List<TextLines.Row> rows = rows("a,b\r\rc,d\r");

        assertThat(rows).extracting(TextLines.Row::blank).containsExactly(false, true, false);
        assertThat(rows.get(2).fields()).containsExactly("c", "d");
        assertThat(rows.get(2).line()).isEqualTo(3);
    }

    @Test
    void quotesInsideAnUnquotedFieldAreKeptLiterally() throws IOException {
        assertThat(rows("5\" disk,x").get(0).fields()).containsExactly("5\" disk", "x");
    }

    @Test
    void linesEndAtAnyLineBreak() throws IOException {
        TextLines t = new TextLines(new StringReader("one\r\ntwo\rthree\nfour"));
        List<String> lines = new ArrayList<>();
        TextLines.Line l;
        while ((l = t.readLine()) != null) {
            lines.add(l.number() + ":" + l.text());
        }
        assertThat(lines).containsExactly("1:one", "2:two", "3:three", "4:four");
    }

    @Test
    void anOverlongLineIsFlaggedAndSkippedNotKept() throws IOException {
        String huge = "x".repeat(TextLines.MAX_LINE_CHARS + 10);
        TextLines t = new TextLines(new StringReader(huge + "\nnext"));

        TextLines.Line first = t.readLine();
        assertThat(first.tooLong()).isTrue();
        assertThat(first.text()).isEmpty();
        assertThat(t.readLine().text()).isEqualTo("next");
    }
}
