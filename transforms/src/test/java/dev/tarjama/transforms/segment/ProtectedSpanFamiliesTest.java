package dev.tarjama.transforms.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tarjama.transforms.domain.Piece;
import dev.tarjama.transforms.domain.TextField;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Emoji, inline JSON objects and literal HTML elements are protected like code: each span's text
 * is exactly the source's, every field comes back byte for byte from its pieces, and ordinary
 * prose with angle brackets, braces and symbols gets no span at all.
 */
class ProtectedSpanFamiliesTest {
  private static final Segmenter DEFAULT = new Segmenter(SegmentPolicy.defaults());

  /** The spans found, as "type:text". */
  private static List<String> spans(String text) {
    List<String> out = new ArrayList<>();
    for (ProtectedSpans.Span s : ProtectedSpans.find(text, ProtectedSpans.TRANSLATION_DEFAULT)) {
      out.add(s.type().id() + ":" + s.text(text));
    }
    return out;
  }

  /** The prose the translator sees, after checking that the pieces give the text back exactly. */
  private static List<String> prose(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder restored = new StringBuilder();
    for (Piece p : DEFAULT.segment(new TextField("/messages/0/content", "user", "text", text))) {
      restored.append(p.original());
      out.add(p.prose() ? p.text() : "V[" + p.spanType() + "]" + p.text());
    }
    assertEquals(text, restored.toString(), "restoration is byte-exact");
    return out;
  }

  @Test
  void literalHtmlElementsAreProtectedWhole() {
    String text = "Press <kbd>Ctrl</kbd>+<KBD class=\"k\">C</KBD>, then run <code>ls -l</code>.";
    assertEquals(
        List.of("html_element:<kbd>Ctrl</kbd>", "html_element:<KBD class=\"k\">C</KBD>",
            "html_element:<code>ls -l</code>"),
        spans(text));
    assertEquals(List.of("Press ⟦0⟧+⟦1⟧, then run ⟦2⟧."), prose(text));
    String nested = "Copy with <kbd><kbd>Ctrl</kbd>+<kbd>C</kbd></kbd> now.";
    assertEquals(List.of("html_element:<kbd><kbd>Ctrl</kbd>+<kbd>C</kbd></kbd>"), spans(nested));
    // Other elements keep their content as prose: only the tags are protected.
    assertEquals(List.of("html_tag:<b>", "html_tag:</b>"), spans("This is <b>important</b>."));
    // Unclosed, or closed on another line: the tags alone.
    assertEquals(List.of("html_tag:<kbd>"), spans("Hold <kbd>Shift and click."));
    assertEquals(List.of("html_tag:<kbd>", "html_tag:</kbd>"), spans("<kbd>Ctrl\n</kbd>"));
  }

  @Test
  void inlineJsonObjectsAreProtectedWhole() {
    String text = "Send {\"name\": \"Ada\", \"tags\": [\"a\", \"}\"], \"n\": {\"x\": 1}} to the API,"
        + " or { \"ok\": true }.";
    assertEquals(
        List.of("inline_json:{\"name\": \"Ada\", \"tags\": [\"a\", \"}\"], \"n\": {\"x\": 1}}",
            "inline_json:{ \"ok\": true }"),
        spans(text));
    assertEquals(List.of("Send ⟦0⟧ to the API, or ⟦1⟧."), prose(text));
  }

  @Test
  void emojiSequencesAreProtected() {
    String text = "Great job 🎉🎉! I ❤️ it 👍🏽, dev 👩‍💻, step 1️⃣ in 🇸🇦.";
    assertEquals(
        List.of("emoji:🎉🎉", "emoji:❤️", "emoji:👍🏽", "emoji:👩‍💻", "emoji:1️⃣", "emoji:🇸🇦"),
        spans(text));
    assertEquals(List.of("Great job ⟦0⟧! I ⟦1⟧ it ⟦2⟧, dev ⟦3⟧, step ⟦4⟧ in ⟦5⟧."), prose(text));
  }

  @Test
  void ordinaryProseGetsNoFalseSpans() {
    for (String text :
        List.of(
            "If a < b and c > d, then a - c < b - d.",
            "Compare x<y with y>z, and 3 <4> 5.",
            "The set {1, 2, 3} and {x | x > 0} are sets; f = {a: 1} is not JSON.",
            "Fill in {name} and {{count}} here, or {'a': 1}.",
            "Dear <name>, see <kbd> in the manual.",
            "©2024 Acme™, ↔ arrows ☺, #1 and 42 * 3 = 126, 5# key.",
            "Brace yourself: { \"unfinished\": true and more text.")) {
      List<String> found = spans(text);
      found.removeIf(s -> s.startsWith("html_tag:")); // "<kbd>" alone is still a tag
      assertEquals(List.of(), found, text);
      List<String> pieces = prose(text);
      assertEquals(1, pieces.size(), text);
    }
  }

  @Test
  void theNewFamiliesCanBeHandedToTheTranslator() {
    Segmenter translating =
        new Segmenter(SegmentPolicy.defaults().withTranslatedSpanTypes(
            SpanType.EMOJI, SpanType.HTML_ELEMENT, SpanType.INLINE_JSON));
    String text = "Press <kbd>Ctrl</kbd> 🎉 {\"a\": 1}";
    List<String> out = new ArrayList<>();
    for (Piece p : translating.segment(new TextField("/m", "user", "text", text))) {
      out.add(p.prose() ? p.text() : "V[" + p.spanType() + "]" + p.text());
    }
    assertEquals(List.of("Press ⟦0⟧Ctrl⟦1⟧ 🎉 {\"a\": 1}"), out, "only the kbd tags stay");
  }
}
