package dev.tarjama.transforms.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.domain.Piece;
import dev.tarjama.transforms.domain.TextField;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Edge cases of segmentation, on small inline strings. */
class SegmenterTest {

  private static final Segmenter DEFAULT = new Segmenter(SegmentPolicy.defaults());

  /** Pieces as "V[type]text" and "P[text|type,type]" for compact assertions. */
  private static List<String> describe(Segmenter segmenter, String text) {
    return describe(segmenter, new TextField("/messages/0/content", "assistant", "text", text));
  }

  private static List<String> describe(Segmenter segmenter, TextField field) {
    List<String> out = new ArrayList<>();
    StringBuilder restored = new StringBuilder();
    for (Piece p : segmenter.segment(field)) {
      restored.append(p.original());
      if (p.prose()) {
        out.add("P[" + p.text() + "|" + String.join(",", p.spanTypes()) + "]");
      } else {
        out.add("V[" + p.spanType() + "]" + p.text());
      }
    }
    assertEquals(field.text(), restored.toString());
    return out;
  }

  private static List<String> describe(String text) {
    return describe(DEFAULT, text);
  }

  @Test
  void unclosedFenceRunsToTheEndOfTheText() {
    assertEquals(
        List.of("P[Here is the code:|]", "V[whitespace]\n", "V[code_fence]```python\nprint('x')\n\n"),
        describe("Here is the code:\n```python\nprint('x')\n\n"));
  }

  @Test
  void tildeFencesCloseOnlyWithAFenceAtLeastAsLong() {
    assertEquals(
        List.of("V[code_fence]~~~~md\n~~~\nstill code\n```\n~~~~~", "V[whitespace]\n", "P[After.|]"),
        describe("~~~~md\n~~~\nstill code\n```\n~~~~~\nAfter."));
    // a backtick fence is not closed by tildes, and a longer backtick fence closes a shorter one
    assertEquals(
        List.of("V[code_fence]```\na\n~~~\nb\n````", "V[whitespace]\n", "P[Done.|]"),
        describe("```\na\n~~~\nb\n````\nDone."));
    // indented fences (inside a list item) are fences too
    assertEquals(
        List.of("V[md_list]1. ", "P[Run:|]", "V[whitespace]\n", "V[code_fence]   ```sh\n   ls\n   ```"),
        describe("1. Run:\n   ```sh\n   ls\n   ```"));
  }

  @Test
  void backtickRunsMatchByLength() {
    assertEquals(List.of("P[Use ⟦0⟧ to quote ⟦1⟧ in markdown.|inline_code,inline_code]"),
        describe("Use ``a `b` c`` to quote `` ` `` in markdown."));
    // an unmatched backtick is text
    assertEquals(List.of("P[it`s fine|]"), describe("it`s fine"));
    // one-line "fence" with a backtick in its info string is inline code (CommonMark)
    assertEquals(List.of("V[inline_code]```npm install x```", "V[whitespace]\n\n", "P[Then run it.|]"),
        describe("```npm install x```\n\nThen run it."));
    // a think tag inside inline code is code, not a tag
    assertEquals(List.of("P[Write ⟦0⟧ first.|inline_code]"), describe("Write `<think>` first."));
  }

  @Test
  void pricesAreNotMathButMathIs() {
    String gsm8k = "She sells the remainder at the farmers' market daily for $2 per fresh duck egg."
        + " She makes 9 * 2 = $<<9*2=18>>18 every day, and $12 x 5 =$<<12*5=60>>60 more.";
    assertEquals(List.of("P[She sells the remainder at the farmers' market daily for $2 per fresh duck"
            + " egg. She makes 9 * 2 = $⟦0⟧18 every day, and $12 x 5 =$⟦1⟧60 more.|calc,calc]"),
        describe(gsm8k));
    assertEquals(List.of("P[It costs $20,000 and $30,000.|]"), describe("It costs $20,000 and $30,000."));
    assertEquals(List.of("P[If ⟦0⟧ then ⟦1⟧ and ⟦2⟧ here.|math_inline,math_inline,math_display]"),
        describe("If $x^2=4$ then \\(x=\\pm 2\\) and $$y=1$$ here."));
    // pandoc: "$ x$" is not math in a document without LaTeX commands
    assertEquals(List.of("P[a $ x$ b|]"), describe("a $ x$ b"));
    // in a LaTeX document, MATH-500's spaced dollars are math; \$ is currency
    assertEquals(List.of("P[So ⟦0⟧ and ⟦1⟧ costs \\$5.|math_inline,math_inline]"),
        describe("So $ x = \\boxed{83}$ and $\\frac{1}{2}$ costs \\$5."));
  }

  @Test
  void displayMathOnItsOwnLinesIsABlock() {
    assertEquals(
        List.of("P[Solve|]", "V[whitespace]\n", "V[math_display]\\[\nx^2 = 4\n\\]", "V[whitespace]\n",
            "P[Then stop.|]", "V[whitespace]\n", "V[math_env]\\begin{align}\na &= b \\\\\n"
                + "\\begin{align}c\\end{align}\n\\end{align}"),
        describe("Solve\n\\[\nx^2 = 4\n\\]\nThen stop.\n\\begin{align}\na &= b \\\\\n"
            + "\\begin{align}c\\end{align}\n\\end{align}"));
    // display math followed by text on its line is inline (MATH-500: "\[…\]is a line")
    assertEquals(List.of("V[math_display]\\[2x = 3y\\]", "P[is a line.|]"),
        describe("\\[2x = 3y\\]is a line."));
  }

  @Test
  void abbreviationsAndIdentifiersAreLeftAlone() {
    String text = "Fruits, e.g. apples, i.e. pomes, arrive at 3 p.m. with Dr. Smith; set my_var_name.";
    assertEquals(List.of("P[" + text + "|]"), describe(text));
  }

  @Test
  void urlsEmailsAndHtml() {
    assertEquals(
        List.of("P[See ⟦0⟧ or write to ⟦1⟧.⟦2⟧Thanks, visit ⟦3⟧!|url,email,html_tag,url]"),
        describe("See https://en.wikipedia.org/wiki/Foo_(bar) or write to john.doe@example.org."
            + "<br>Thanks, visit www.example.com!"));
    // a template's <name> is not an HTML tag
    assertEquals(List.of("P[Dear <name>, hello|]"), describe("Dear <name>, hello"));
  }

  @Test
  void markdownMarkers() {
    String md = "## Plan\n- item *one* and __two__\n  * nested\n> quoted **bold**\n\n"
        + "| Name | Age |\n|------|----:|\n| Ann  | 30  |\n\n---\nSee [the docs](https://x.org/d).";
    assertEquals(List.of(
            "V[md_heading]## ",
            "P[Plan\n⟦0⟧item ⟦1⟧one⟦2⟧ and ⟦3⟧two⟦4⟧\n⟦5⟧nested\n⟦6⟧quoted ⟦7⟧bold⟦8⟧\n\n"
                + "⟦9⟧Name⟦10⟧Age|md_list,md_emphasis,md_emphasis,md_emphasis,md_emphasis,md_list,"
                + "md_blockquote,md_emphasis,md_emphasis,md_table,md_table]",
            "V[md_table] |",
            "V[whitespace]\n",
            "V[md_table]|------|----:|",
            "V[whitespace]\n",
            "V[md_table]| ",
            "P[Ann⟦0⟧30|md_table]",
            "V[md_table]  |",
            "V[whitespace]\n\n",
            "V[md_rule]---",
            "V[whitespace]\n",
            "P[See ⟦0⟧the docs⟦1⟧.|md_link,md_link]"),
        describe(md));
  }

  @Test
  void thinkAndToolBlocks() {
    String text = "<think>\nI should call the tool.\n</think>\n\n<tool_call>\n{\"name\": \"f\","
        + " \"arguments\": {}}\n</tool_call>";
    assertEquals(List.of("V[think_tag]<think>", "V[whitespace]\n", "P[I should call the tool.|]",
            "V[whitespace]\n", "V[think_tag]</think>", "V[whitespace]\n\n",
            "V[tool_call]<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>"),
        describe(text));
    // reasoning kept verbatim when the policy says so; the tags are still their own pieces
    Segmenter keepThink = new Segmenter(SegmentPolicy.defaults().withTranslateThink(false));
    assertEquals(List.of("V[think_tag]<think>", "V[reasoning]\nI should call the tool.\n",
            "V[think_tag]</think>", "V[whitespace]\n\n", "P[Answer.|]"),
        describe(keepThink, "<think>\nI should call the tool.\n</think>\n\nAnswer."));
    // an unclosed tool call runs to the end
    assertEquals(List.of("P[Calling:|]", "V[whitespace]\n", "V[tool_call]<tool_call>\n{\"name\": \"f\""),
        describe("Calling:\n<tool_call>\n{\"name\": \"f\""));
  }

  @Test
  void jsonFieldsAndLinesAreVerbatim() {
    assertEquals(List.of("V[json][{\"name\": \"get\", \"arguments\": {\"q\": \"a [b]\"}}]"),
        describe("[{\"name\": \"get\", \"arguments\": {\"q\": \"a [b]\"}}]"));
    assertEquals(List.of("P[The call should be:|]", "V[whitespace]\n\n",
            "V[json]{\n  \"name\": \"get_movie_details\"\n}", "V[whitespace]\n\n", "P[Done.|]"),
        describe("The call should be:\n\n{\n  \"name\": \"get_movie_details\"\n}\n\nDone."));
    // a whole field of JSON is one block even with blank lines inside
    assertEquals(List.of("V[whitespace]\n", "V[json]{\"a\": 1,\n\n \"b\": [2]}", "V[whitespace]\n"),
        describe("\n{\"a\": 1,\n\n \"b\": [2]}\n"));
    // brackets that are not JSON stay text
    assertEquals(List.of("P[[Your Name]|]"), describe("[Your Name]"));
  }

  @Test
  void gsm8kAnswerLineIsVerbatim() {
    assertEquals(List.of("P[So the total is 2+1=⟦0⟧3 bolts|calc]", "V[whitespace]\n",
            "V[gsm8k_answer]#### 3"),
        describe("So the total is 2+1=<<2+1=3>>3 bolts\n#### 3"));
    // a level-4 heading with words is a heading, not an answer
    assertEquals(List.of("V[md_heading]#### ", "P[Step 1|]"), describe("#### Step 1"));
  }

  @Test
  void whitespaceSymbolsAndLiteralPlaceholders() {
    assertEquals(List.of(), describe(""));
    assertEquals(List.of("V[whitespace] \n\t "), describe(" \n\t "));
    assertEquals(List.of("V[whitespace]  ", "P[Hello|]", "V[whitespace] ", "V[inline_code]`x`",
        "V[whitespace]  "), describe("  Hello `x`  "));
    assertEquals(List.of("V[symbols]** -> ::"), describe("** -> ::"));
    assertEquals(List.of("V[placeholder]⟦0⟧", "V[whitespace] ", "P[is a bracket, ⟦0⟧ too|placeholder]"),
        describe("⟦0⟧ is a bracket, ⟦12⟧ too"));
  }

  @Test
  void fieldsOfUntranslatedRolesAndKindsAreOnePiece() {
    TextField tool = new TextField("/messages/2/content", "tool", "text", "[{\"a\": 1}] and text");
    assertEquals(List.of("V[untranslated][{\"a\": 1}] and text"), describe(DEFAULT, tool));
    TextField call = new TextField("/messages/1/content/0/value", "assistant", "tool_call", "x y");
    assertEquals(List.of("V[untranslated]x y"), describe(DEFAULT, call));
  }

  @Test
  void spanTypesCanBeHandedToTheTranslator() {
    Segmenter loose = new Segmenter(SegmentPolicy.defaults()
        .withTranslatedSpanTypes(SpanType.MD_EMPHASIS, SpanType.INLINE_CODE));
    assertEquals(List.of("P[A **bold** `word` and ⟦0⟧.|url]"),
        describe(loose, "A **bold** `word` and https://a.org."));
  }

  @Test
  void tooManySpansForPlaceholdersIsAnError() {
    String text = "word `x` ".repeat(Segmenter.MAX_SPANS_PER_PIECE + 1) + "end";
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> describe(text));
    assertTrue(e.getMessage().contains("10001 protected spans"), e.getMessage());
  }
}
