package dev.tarjama.transforms.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.tokenize.TokenCounter;
import dev.tarjama.models.tokenize.TokenCounters;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.FieldPlan;
import dev.tarjama.transforms.domain.FieldSegments;
import dev.tarjama.transforms.domain.Piece;
import dev.tarjama.transforms.domain.PlanPart;
import dev.tarjama.transforms.domain.Placeholders;
import dev.tarjama.transforms.domain.RecordPlan;
import dev.tarjama.transforms.domain.SegmentedRecord;
import dev.tarjama.transforms.domain.TextField;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkerTest {
  private static final TokenCounter QWEN = TokenCounters.acquire(RealRecords.QWEN3);

  private static List<SegmentedRecord> realRecords() {
    return Stream.concat(RealRecords.dpoEnDemo().stream(), RealRecords.thinkTools().stream())
        .toList();
  }

  /** What every plan must satisfy, checked from the outside. Returns the record's chunks. */
  private static List<Chunk> assertWellFormed(
      SegmentedRecord record, RecordPlan plan, TokenCounter counter, int budget, int maxLines) {
    Conversation conversation = record.conversation();
    assertEquals(conversation, plan.conversation());
    Set<Integer> planned = new HashSet<>();
    int expectedChunk = 0;
    for (FieldPlan field : plan.fields()) {
      assertTrue(planned.add(field.fieldIndex()), "one plan per field");
      for (PlanPart part : field.parts()) {
        if (part.isChunk()) {
          assertEquals(expectedChunk++, part.chunkIndex(), "chunks in document order");
          assertEquals(field.fieldIndex(), plan.chunks().get(part.chunkIndex()).fieldIndex());
        } else {
          assertFalse(part.text().isEmpty(), "no empty verbatim part");
        }
      }
      // The rebuild invariant: verbatim parts + each chunk's own source text.
      StringBuilder rebuilt = new StringBuilder();
      for (PlanPart part : field.parts()) {
        rebuilt.append(part.isChunk()
            ? Placeholders.restore(plan.chunks().get(part.chunkIndex()).text(),
                plan.chunks().get(part.chunkIndex()).spans())
            : part.text());
      }
      assertEquals(conversation.fields().get(field.fieldIndex()).text(), rebuilt.toString(),
          conversation.recordId() + " field " + field.fieldIndex());
    }
    assertEquals(plan.chunks().size(), expectedChunk, "every chunk is in a plan");
    for (FieldSegments segments : record.fields()) {
      if (!planned.contains(segments.fieldIndex())) {
        // A field without a plan is copied unchanged: it must have nothing to translate.
        for (Piece piece : segments.pieces()) {
          assertTrue(!piece.prose() || Placeholders.strip(piece.text()).codePoints()
              .noneMatch(Character::isLetter), conversation.recordId() + " " + piece);
        }
      }
    }
    for (int i = 0; i < plan.chunks().size(); i++) {
      Chunk chunk = plan.chunks().get(i);
      assertEquals(i, chunk.chunkIndex());
      assertEquals(conversation.recordId(), chunk.recordId());
      assertEquals(conversation.split(), chunk.split());
      assertEquals(counter.count(chunk.text()), chunk.tokens(), chunk.toString());
      assertTrue(chunk.tokens() <= budget, chunk.tokens() + " > " + budget + ": " + chunk);
      assertFalse(Chunker.isSpace(chunk.text().charAt(0)), chunk.toString());
      assertFalse(Chunker.isSpace(chunk.text().charAt(chunk.text().length() - 1)), chunk.toString());
      assertSelfContainedPlaceholders(chunk);
      if (maxLines > 0) {
        long lines = chunk.text().chars().filter(c -> c == '\n').count() + 1;
        assertTrue(lines <= maxLines, lines + " lines: " + chunk);
      }
    }
    return plan.chunks();
  }

  /** ⟦0⟧..⟦k-1⟧ in order of first appearance, one per span, and no stray bracket. */
  private static void assertSelfContainedPlaceholders(Chunk chunk) {
    Matcher m = Placeholders.PATTERN.matcher(chunk.text());
    int next = 0;
    while (m.find()) {
      int n = Integer.parseInt(m.group(1));
      assertTrue(n <= next, "renumbered in order: " + chunk);
      if (n == next) {
        next++;
      }
    }
    assertEquals(chunk.spans().size(), next, chunk.toString());
    assertEquals(chunk.spans().size(), chunk.spanTypes().size());
    String rest = Placeholders.PATTERN.matcher(chunk.text()).replaceAll("");
    assertTrue(rest.indexOf(Placeholders.OPEN) < 0 && rest.indexOf(Placeholders.CLOSE) < 0,
        "a placeholder was cut: " + chunk);
  }

  @ParameterizedTest
  @ValueSource(ints = {490, 64})
  void realFilesStayWithinTheBudget(int budget) {
    Chunker chunker = Chunker.bySentences(QWEN, budget);
    int chunks = 0;
    int withPlaceholders = 0;
    int multiChunkFields = 0;
    long pairTokens = 0;
    int pairs = 0;
    for (SegmentedRecord record : realRecords()) {
      RecordPlan plan = chunker.plan(record);
      List<Chunk> recordChunks = assertWellFormed(record, plan, QWEN, budget, 0);
      chunks += recordChunks.size();
      withPlaceholders += (int) recordChunks.stream().filter(c -> !c.spans().isEmpty()).count();
      for (FieldPlan field : plan.fields()) {
        List<Integer> indexes = field.parts().stream().filter(PlanPart::isChunk)
            .map(p -> p.chunkIndex()).toList();
        if (indexes.size() > 1) {
          multiChunkFields++;
        }
        for (int k = 1; k < indexes.size(); k++) {
          pairTokens += recordChunks.get(indexes.get(k - 1)).tokens()
              + recordChunks.get(indexes.get(k)).tokens();
          pairs++;
        }
      }
    }
    assertTrue(multiChunkFields > 20, multiChunkFields + " fields were cut");
    assertTrue(withPlaceholders > 20, withPlaceholders + " chunks carry placeholders");
    // Greedy packing: two neighbouring chunks of a field could not have been one, so on
    // average they hold more than the budget between them (with blocks and letterless runs
    // cutting some pairs short).
    assertTrue(pairTokens / (double) pairs > 0.75 * budget,
        "neighbouring chunks average " + pairTokens / (double) pairs + " tokens at budget "
            + budget + " over " + chunks + " chunks");
  }

  @ParameterizedTest
  @ValueSource(ints = {25, 3})
  void lineModeOnRealFiles(int lines) {
    Chunker chunker = Chunker.byLines(QWEN, Chunker.DEFAULT_TOKEN_BUDGET, lines);
    int multiLine = 0;
    for (SegmentedRecord record : realRecords()) {
      for (Chunk chunk : assertWellFormed(record, chunker.plan(record), QWEN,
          Chunker.DEFAULT_TOKEN_BUDGET, lines)) {
        if (chunk.text().chars().filter(c -> c == '\n').count() + 1 == lines) {
          multiLine++;
        }
      }
    }
    assertTrue(multiLine > 10, multiLine + " chunks hold exactly " + lines + " lines");
  }

  @Test
  void lineModeCutsEveryNLines() {
    String text = "one\ntwo\nthree\nfour\nfive\nsix\nseven\n\neight\nnine\n";
    SegmentedRecord record = single(text, Piece.prose(text, List.of(), List.of()));
    RecordPlan plan = Chunker.byLines(QWEN, 490, 3).plan(record);
    // A blank line is a line.
    assertEquals(List.of("one\ntwo\nthree", "four\nfive\nsix", "seven\n\neight", "nine"),
        plan.chunks().stream().map(c -> c.text()).toList());
    assertEquals(List.of(PlanPart.chunk(0), PlanPart.verbatim("\n"), PlanPart.chunk(1),
            PlanPart.verbatim("\n"), PlanPart.chunk(2), PlanPart.verbatim("\n"),
            PlanPart.chunk(3), PlanPart.verbatim("\n")),
        plan.fields().get(0).parts());
  }

  @Test
  void abbreviationsNeverEndAChunk() {
    String first = "Dr. Smith met Mr. Jones at 5 p.m. today, e.g. at the U.S. office.";
    String second = "They talked about Fig. 3 vs. Fig. 4, i.e. the results, etc.";
    String third = "Then everyone went home.";
    String text = first + " " + second + " " + third;
    SegmentedRecord record = single(text, Piece.prose(text, List.of(), List.of()));
    int budget = Math.max(QWEN.count(first), QWEN.count(second)) + 2;
    assertTrue(QWEN.count(first + " " + second) > budget);
    RecordPlan plan = Chunker.bySentences(QWEN, budget).plan(record);
    assertEquals(first, plan.chunks().get(0).text());
    assertEquals(second, plan.chunks().get(1).text().substring(0, second.length()));
    assertWellFormed(record, plan, QWEN, budget, 0);
  }

  @Test
  void placeholdersAndBlocksAreRenumberedPerChunk() {
    String one = "Run ⟦0⟧ now to list every file in the current working directory.";
    String two = "Then open ⟦1⟧ in your browser and read the whole page carefully.";
    String three = "Finally run ⟦0⟧ and ⟦1⟧ to build it.";
    Piece first = Piece.prose("  " + one + " " + two + "\n\n",
        List.of("`ls -la`", "https://example.com/a"), List.of("inline_code", "url"));
    Piece block = Piece.verbatim("code_fence", "```sh\nls\n```");
    Piece last = Piece.prose("\n " + three + " ", List.of("`make`", "`make test`"),
        List.of("inline_code", "inline_code"));
    SegmentedRecord record =
        single(first.original() + block.text() + last.original(), first, block, last);
    int budget = Math.max(QWEN.count(one), QWEN.count(two.replace("⟦1⟧", "⟦0⟧"))) + 1;
    assertTrue(budget >= Chunker.MIN_TOKEN_BUDGET && QWEN.count(one + " " + two) > budget);

    RecordPlan plan = Chunker.bySentences(QWEN, budget).plan(record);

    assertWellFormed(record, plan, QWEN, budget, 0);
    List<Chunk> chunks = plan.chunks();
    assertEquals(List.of(one, two.replace("⟦1⟧", "⟦0⟧"), three),
        chunks.stream().map(c -> c.text()).toList());
    assertEquals(List.of("`ls -la`"), chunks.get(0).spans());
    assertEquals(List.of("https://example.com/a"), chunks.get(1).spans());
    assertEquals(List.of("url"), chunks.get(1).spanTypes());
    assertEquals(List.of("`make`", "`make test`"), chunks.get(2).spans());
    assertEquals(List.of(PlanPart.verbatim("  "), PlanPart.chunk(0), PlanPart.verbatim(" "),
            PlanPart.chunk(1), PlanPart.verbatim("\n\n```sh\nls\n```\n "), PlanPart.chunk(2),
            PlanPart.verbatim(" ")),
        plan.fields().get(0).parts());
  }

  @Test
  void anOverlongSentenceIsCutAtWhitespaceNeverInsideAPlaceholder() {
    StringBuilder text = new StringBuilder();
    List<String> spans = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      text.append("word").append(i).append(' ');
      if (i % 5 == 4) {
        text.append(Placeholders.of(spans.size())).append(' ');
        spans.add("`x" + i + "`");
      }
    }
    text.append("end.");
    String prose = text.toString();
    Piece piece = Piece.prose(prose, spans, spans.stream().map(s -> "inline_code").toList());
    SegmentedRecord record = single(piece.original(), piece);
    RecordPlan plan = Chunker.bySentences(QWEN, 16).plan(record);
    assertTrue(plan.chunks().size() > 20);
    assertWellFormed(record, plan, QWEN, 16, 0);
  }

  @Test
  void aWordOverTheBudgetIsCutBetweenCharactersOutsidePlaceholders() {
    String prose = "a".repeat(150) + "⟦0⟧" + "b".repeat(150) + "⟦1⟧" + "xyz".repeat(100);
    Piece piece = Piece.prose(prose, List.of("`p`", "`q`"), List.of("inline_code", "inline_code"));
    SegmentedRecord record = single(piece.original(), piece);
    RecordPlan plan = Chunker.bySentences(QWEN, 16).plan(record);
    assertTrue(plan.chunks().size() > 4);
    assertWellFormed(record, plan, QWEN, 16, 0);
    assertTrue(plan.chunks().stream().anyMatch(c -> c.spans().equals(List.of("`q`"))));
  }

  @Test
  void fieldsWithNothingToTranslateGetNoPlan() {
    TextField code = new TextField("/messages/0/content", "user", "text", "```\nx\n```");
    TextField numbers = new TextField("/messages/1/content", "assistant", "text", " `x` 42! ");
    TextField words = new TextField("/messages/2/content", "user", "text", "Hello there.");
    Conversation conversation = new Conversation("r", "s", "messages", "{}",
        List.of(code, numbers, words));
    SegmentedRecord record = new SegmentedRecord(conversation, List.of(
        new FieldSegments(0, List.of(Piece.verbatim("code_fence", code.text()))),
        new FieldSegments(1, List.of(Piece.prose(" ⟦0⟧ 42! ", List.of("`x`"),
            List.of("inline_code")))),
        new FieldSegments(2, List.of(Piece.prose(words.text(), List.of(), List.of())))));
    RecordPlan plan = Chunker.bySentences(QWEN, 490).plan(record);
    assertEquals(List.of(new FieldPlan(2, List.of(PlanPart.chunk(0)))), plan.fields());
    assertEquals(1, plan.chunks().size());
    assertEquals(2, plan.chunks().get(0).fieldIndex());
    assertEquals(3, plan.chunks().get(0).tokens());
  }

  @Test
  void piecesThatDoNotRebuildTheFieldNameIt() {
    TextField field = new TextField("/messages/3/content", "user", "text", "Hello there.");
    SegmentedRecord record = new SegmentedRecord(
        new Conversation("f.jsonl:7", "s", "messages", "{}", List.of(field)),
        List.of(new FieldSegments(0, List.of(Piece.prose("Hello here.", List.of(), List.of())))));
    ChunkingException e = assertThrows(ChunkingException.class,
        () -> Chunker.bySentences(QWEN, 490).plan(record));
    assertEquals("/messages/3/content", e.pointer());
    assertTrue(e.getMessage().contains("f.jsonl:7") && e.getMessage().contains("rebuild"),
        e.getMessage());
  }

  @Test
  void approximateCounterWithoutTokenizer() {
    TokenCounter approx = TokenCounters.approximate();
    Chunker chunker = Chunker.bySentences(approx, 64);
    for (SegmentedRecord record : RealRecords.thinkTools()) {
      assertWellFormed(record, chunker.plan(record), approx, 64, 0);
    }
  }

  @Test
  void budgetBelowTheMinimumIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Chunker.bySentences(QWEN, 8));
    assertThrows(IllegalArgumentException.class, () -> Chunker.byLines(QWEN, 490, 0));
  }

  private static SegmentedRecord single(String original, Piece... pieces) {
    TextField field = new TextField("/messages/0/content", "user", "text", original);
    return new SegmentedRecord(
        new Conversation("test#0", "test", "messages", "{}", List.of(field)),
        List.of(new FieldSegments(0, List.of(pieces))));
  }
}
