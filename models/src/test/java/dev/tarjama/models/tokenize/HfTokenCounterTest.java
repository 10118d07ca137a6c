package dev.tarjama.models.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.tarjama.models.testing.DataKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Counting with the real tokenizers of shared/models/tokenizers (ids from its README). */
class HfTokenCounterTest {
  private static final Path TOKENIZERS = DataKit.models("tokenizers");
  private static final String CUTE = "Hello, my dog is cute";

  private static final java.util.Map<String, HfTokenCounter> NATIVE =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The native counter itself (TokenCounters gives byte-level BPE files to a Java counter). */
  private static HfTokenCounter counter(String name) {
    return NATIVE.computeIfAbsent(name, n -> HfTokenCounter.load(TOKENIZERS.resolve(n)));
  }

  @Test
  void qwen3IdsMatchTheReference() {
    assertArrayEquals(new long[] {9707, 11, 847, 5562, 374, 18838}, counter("qwen3").ids(CUTE));
    assertEquals(6, counter("qwen3").count(CUTE));
    assertEquals(6, counter("gemma3").count(CUTE));
    assertEquals(6, counter("seed-x").count(CUTE));
  }

  @Test
  void gemma3IdsMatchTheReferenceWithoutBos() {
    assertArrayEquals(
        new long[] {9259, 236764, 1041, 4799, 563, 12864}, counter("gemma3").ids(CUTE));
  }

  @Test
  void seedXIdsMatchTheReferenceWithoutBos() {
    assertArrayEquals(
        new long[] {22557, 28725, 586, 3914, 349, 17949}, counter("seed-x").ids(CUTE));
  }

  @Test
  void longTextIsNotTruncatedAt512() {
    // ~2,000 tokens: DJL's default for a bare tokenizer.json would stop at 512.
    String text = (CUTE + ". ").repeat(280);
    for (String name : List.of("qwen3", "gemma3", "seed-x")) {
      int n = counter(name).count(text);
      assertTrue(n > 1900, name + " counted " + n);
    }
    // The trap this counter avoids: DJL's defaults stop at 512.
    try (HuggingFaceTokenizer defaults =
        HuggingFaceTokenizer.newInstance(TOKENIZERS.resolve("qwen3/tokenizer.json"))) {
      assertEquals(512, defaults.encode(text).getIds().length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void arabicAndEmptyText() {
    assertEquals(0, counter("qwen3").count(""));
    assertTrue(counter("qwen3").count("مرحبا بالعالم") > 1);
  }

  @Test
  void fileAndDirectoryShareOneLoadedTokenizer() {
    TokenCounter byDir = TokenCounters.acquire(TOKENIZERS.resolve("qwen3").toString());
    TokenCounter byFile =
        TokenCounters.acquire(TOKENIZERS.resolve("qwen3/tokenizer.json").toString());
    TokenCounter byDotted =
        TokenCounters.acquire(TOKENIZERS.resolve("qwen3/../qwen3").toString());
    assertSame(byDir, byFile);
    assertSame(byDir, byDotted);
  }

  @Test
  void countsAgreeAcrossThreads() throws Exception {
    TokenCounter qwen = counter("qwen3");
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      texts.add(CUTE.repeat(i + 1));
    }
    List<Integer> expected = texts.stream().map(qwen::count).toList();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      for (String t : texts) {
        futures.add(pool.submit(() -> TokenCounters.acquire(
            TOKENIZERS.resolve("qwen3").toString()).count(t)));
      }
      for (int i = 0; i < texts.size(); i++) {
        assertEquals(expected.get(i), futures.get(i).get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) {
    Path missing = dir.resolve("nope/tokenizer.json");
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> TokenCounters.acquire(missing.toString()));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    // A directory without tokenizer.json names the file it looked for.
    e = assertThrows(UncheckedIOException.class, () -> TokenCounters.acquire(dir.toString()));
    assertTrue(e.getMessage().contains(dir.resolve("tokenizer.json").toString()), e.getMessage());
  }

  @Test
  void corruptFileIsNamed(@TempDir Path dir) throws IOException {
    Path corrupt = dir.resolve("tokenizer.json");
    Files.writeString(corrupt, "{\"model\": {\"type\": \"BPE\", \"vocab\": [", StandardCharsets.UTF_8);
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> TokenCounters.acquire(corrupt.toString()));
    assertTrue(e.getMessage().contains(corrupt.toString()), e.getMessage());
  }

  @Test
  void approximateIsCeilOfUtf8BytesOverFour() {
    TokenCounter approx = TokenCounters.approximate();
    assertEquals(0, approx.count(""));
    assertEquals(1, approx.count("abc"));
    assertEquals(1, approx.count("abcd"));
    assertEquals(2, approx.count("abcde"));
    // 5 Arabic letters = 10 bytes; an emoji = 4 bytes; ⟦ = 3 bytes.
    assertEquals(3, approx.count("مرحبا"));
    assertEquals(1, approx.count("\uD83D\uDE00"));
    assertEquals(1, approx.count("\u27E6"));
    String mixed = "Hi ⟦0⟧ مرحبا \uD83D\uDE00";
    assertEquals(
        (mixed.getBytes(StandardCharsets.UTF_8).length + 3) / 4, approx.count(mixed));
    assertTrue(approx.describe().contains("approximate"));
  }
}
