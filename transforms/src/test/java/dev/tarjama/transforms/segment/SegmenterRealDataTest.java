package dev.tarjama.transforms.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.domain.Piece;
import dev.tarjama.transforms.domain.TextField;
import dev.tarjama.models.testing.DataKit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Segmentation of the real data kit: byte-exact restoration and the structure it protects. */
class SegmenterRealDataTest {

  private static final Segmenter SEGMENTER = new Segmenter(SegmentPolicy.defaults());

  private static List<Piece> segment(String text) {
    return SEGMENTER.segment(new TextField("/t", "user", "text", text));
  }

  /** Offsets of each piece in the original text: piece i covers [starts[i], starts[i+1]). */
  private static int[] starts(List<Piece> pieces) {
    int[] starts = new int[pieces.size() + 1];
    for (int i = 0; i < pieces.size(); i++) {
      starts[i + 1] = starts[i] + pieces.get(i).original().length();
    }
    return starts;
  }

  /** Whether [a, b) of the original lies entirely in verbatim pieces. */
  private static boolean verbatim(List<Piece> pieces, int a, int b) {
    int[] s = starts(pieces);
    for (int i = 0; i < pieces.size(); i++) {
      if (s[i] < b && s[i + 1] > a && pieces.get(i).prose()) {
        return false;
      }
    }
    return true;
  }

  @Test
  void everyStringOfTheDataKitRestoresByteForByte() {
    int files = 0;
    long strings = 0;
    long chars = 0;
    long prose = 0;
    for (Path file : KitRecords.roundTripFiles()) {
      files++;
      for (String text : KitRecords.strings(file)) {
        List<Piece> pieces = segment(text); // the segmenter asserts the invariant itself
        StringBuilder restored = new StringBuilder();
        for (Piece p : pieces) {
          restored.append(p.original());
          if (p.prose()) {
            prose++;
            assertTrue(p.text().codePoints().anyMatch(Character::isLetterOrDigit), p.text());
            assertFalse(Character.isWhitespace(p.text().charAt(0)), p.text());
            assertFalse(Character.isWhitespace(p.text().charAt(p.text().length() - 1)), p.text());
          }
        }
        assertEquals(text, restored.toString(), () -> "in " + file);
        strings++;
        chars += text.length();
      }
    }
    assertEquals(11, files, "data kit files found: " + files);
    assertTrue(strings > 20_000, "strings: " + strings);
    assertTrue(prose > 10_000, "prose pieces: " + prose);
    System.out.printf("round trip: %d files, %d strings, %d chars, %d prose pieces%n",
        files, strings, chars, prose);
  }

  /**
   * Fenced code blocks [start, end) found line by line, independently of the segmenter: an
   * opening line of 3+ backticks (no backtick after them) or tildes, closed by a line of the same
   * character at least as long; unclosed blocks run to the end.
   */
  static List<int[]> fencedBlocks(String text) {
    List<int[]> blocks = new ArrayList<>();
    Pattern opening = Pattern.compile("[ \\t]*(`{3,}(?=[^`]*$)|~{3,}).*");
    int open = -1;
    String fence = null;
    int pos = 0;
    for (String line : text.split("\n", -1)) {
      int end = pos + line.length();
      if (fence == null) {
        Matcher m = opening.matcher(line);
        if (m.matches()) {
          open = pos + m.start(1);
          fence = m.group(1);
        }
      } else {
        String s = line.strip();
        char c0 = fence.charAt(0);
        if (s.startsWith(fence) && s.chars().allMatch(c -> c == c0)) {
          blocks.add(new int[] {open, pos + line.indexOf(fence) + s.length()});
          fence = null;
        }
      }
      pos = end + 1;
    }
    if (fence != null) {
      blocks.add(new int[] {open, text.length()});
    }
    return blocks;
  }

  @Test
  void fencedCodeOfLlamaFactoryDemosStaysVerbatim() {
    int blocks = 0;
    for (String name : List.of("dpo_en_demo.json", "alpaca_en_demo.json")) {
      for (String text : KitRecords.strings(DataKit.dataFile("instruct/llamafactory/" + name))) {
        if (!text.contains("```") && !text.contains("~~~")) {
          continue;
        }
        List<Piece> pieces = segment(text);
        for (int[] block : fencedBlocks(text)) {
          blocks++;
          String code = text.substring(block[0], block[1]);
          assertTrue(verbatim(pieces, block[0], block[1]),
              () -> name + ": fenced block not verbatim: " + code);
          assertTrue(pieces.stream().anyMatch(p -> !p.prose() && p.spanType().equals("code_fence")
                  && p.text().contains(code)),
              () -> name + ": fenced block not intact in one piece: " + code);
        }
        // every code fence line in the text sits in a verbatim piece
        Matcher fenceLine = Pattern.compile("(?m)^[ \\t]*```[^`\\n]*$").matcher(text);
        while (fenceLine.find()) {
          assertTrue(verbatim(pieces, fenceLine.start(), fenceLine.end()),
              () -> name + ": fence line in prose: " + fenceLine.group() + " in " + pieces);
        }
      }
    }
    assertTrue(blocks >= 150, "fenced blocks checked: " + blocks);
  }

  @Test
  void everyDollarMathOfMath500IsASpan() {
    int math = 0;
    for (JsonNode r : KitRecords.records(DataKit.dataFile("eval/math500/test.jsonl"))) {
      for (String field : List.of("problem", "solution")) {
        for (Piece p : segment(r.get(field).textValue())) {
          if (p.prose()) {
            String unescaped = p.text().replace("\\$", "");
            assertFalse(unescaped.contains("$"),
                () -> r.get("unique_id") + " " + field + ": $ left in prose: " + p.text());
            for (int i = 0; i < p.spans().size(); i++) {
              if (p.spans().get(i).startsWith("$")) {
                math++;
                assertTrue(p.spanTypes().get(i).startsWith("math_"), p.spanTypes().get(i));
              }
            }
          } else if (p.text().startsWith("$")) {
            math++;
          }
        }
      }
    }
    assertTrue(math > 4_500, "dollar math spans: " + math);
  }

  @Test
  void gsm8kCalculatorMarksAreSpansAndAnswerLinesVerbatim() {
    int marks = 0;
    int answers = 0;
    int prices = 0;
    for (JsonNode r : KitRecords.records(DataKit.dataFile("instruct/gsm8k/test.jsonl"))) {
      for (String field : List.of("question", "answer")) {
        String text = r.get(field).textValue();
        List<Piece> pieces = segment(text);
        for (Piece p : pieces) {
          if (p.prose()) {
            assertFalse(p.text().contains("<<") || p.text().contains(">>"), p.text());
            marks += (int) p.spanTypes().stream().filter("calc"::equals).count();
            assertFalse(p.spanTypes().contains("math_inline"), () -> "price read as math: " + p);
            if (p.text().contains("$")) {
              prices++;
            }
          } else if (p.spanType().equals("calc")) {
            marks++;
          }
        }
        Matcher answer = Pattern.compile("(?m)^#### .*$").matcher(text);
        while (answer.find()) {
          answers++;
          String line = answer.group();
          assertTrue(pieces.stream().anyMatch(p -> !p.prose() && p.spanType().equals("gsm8k_answer")
              && p.text().equals(line)), () -> "answer line not verbatim: " + line);
        }
      }
    }
    assertEquals(1319, answers);
    assertTrue(marks >= 4282, "calculator marks: " + marks);
    assertTrue(prices > 100, "prose with prices: " + prices);
  }

  @Test
  void thinkTagsAreVerbatimAndTheReasoningIsProse() {
    int thinks = 0;
    for (String name : List.of("gsm8k_think.jsonl", "think_tools.jsonl")) {
      for (JsonNode r : KitRecords.records(DataKit.dataFile("instruct/smoltalk2_style/" + name))) {
        for (JsonNode m : r.get("messages")) {
          String text = m.get("content").textValue();
          if (!text.contains("<think>")) {
            continue;
          }
          thinks++;
          List<Piece> pieces = segment(text);
          int open = -1;
          int close = -1;
          for (int i = 0; i < pieces.size(); i++) {
            Piece p = pieces.get(i);
            assertFalse(p.prose() && (p.text().contains("<think>") || p.text().contains("</think>")));
            if (!p.prose() && p.text().equals("<think>")) {
              assertEquals("think_tag", p.spanType());
              open = i;
            } else if (!p.prose() && p.text().equals("</think>")) {
              assertEquals("think_tag", p.spanType());
              close = i;
            }
          }
          assertTrue(open >= 0 && close > open, () -> "think tags in " + pieces);
          boolean reasoning = false;
          for (int i = open + 1; i < close; i++) {
            reasoning |= pieces.get(i).prose();
          }
          assertTrue(reasoning, () -> "no prose between think tags: " + pieces);
        }
      }
    }
    assertTrue(thinks >= 200, "think messages: " + thinks);
  }

  @Test
  void toolCallBlocksOfThinkToolsAreVerbatimAndTheirJsonParses() throws Exception {
    Pattern block = Pattern.compile("<tool_call>(.*?)</tool_call>", Pattern.DOTALL);
    int calls = 0;
    Path thinkTools = DataKit.dataFile("instruct/smoltalk2_style/think_tools.jsonl");
    for (JsonNode r : KitRecords.records(thinkTools)) {
      for (JsonNode m : r.get("messages")) {
        String text = m.get("content").textValue();
        List<Piece> pieces = segment(text);
        List<String> verbatimCalls = new ArrayList<>();
        for (Piece p : pieces) {
          assertFalse(p.prose() && p.original().contains("<tool_call>"), p.text());
          if (!p.prose() && p.spanType().equals("tool_call")) {
            verbatimCalls.add(p.text());
          }
        }
        Matcher mm = block.matcher(text);
        int i = 0;
        while (mm.find()) {
          calls++;
          if (i >= verbatimCalls.size()) {
            fail("tool call not verbatim: " + mm.group());
          }
          assertEquals(mm.group(), verbatimCalls.get(i++));
          JsonNode call = KitRecords.JSON.readTree(mm.group(1).strip());
          assertTrue(call.has("name") && call.has("arguments"), call.toString());
        }
        assertEquals(i, verbatimCalls.size());
      }
    }
    assertEquals(68, calls);
  }
}
