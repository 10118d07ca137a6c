package dev.tarjama.models.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.models.testing.DataKit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plain-Java byte-level BPE counter against Hugging Face tokenizers: live against the native
 * library through DJL on every text of the data kit and on random text built from the characters
 * where two implementations part ways (Unicode spaces, case folding, combining marks, added
 * tokens); and against counts made by tokenizers' own Node binding for text with characters
 * outside the BMP (emoji, math letters), which DJL's binding passes as modified UTF-8 and so
 * miscounts ({@code testdata/tools/make_tokenizer_reference.js}).
 */
class ByteLevelBpeCounterTest {
  private static final Path QWEN3 = DataKit.models("tokenizers/qwen3/tokenizer.json");
  private static final Path REFERENCE =
      Path.of(System.getProperty("tarjama.testdata", "../testdata"))
          .resolve("tokenizers/qwen3-reference-counts.jsonl");

  private static HfTokenCounter reference;
  private static ByteLevelBpeCounter counter;

  @BeforeAll
  static void load() throws IOException {
    reference = HfTokenCounter.load(QWEN3);
    counter = ByteLevelBpeCounter.load(QWEN3).orElseThrow();
  }

  @AfterAll
  static void close() {
    reference.close();
  }

  @Test
  void countsTheReferenceSentenceAsTheTokenizerDoes() {
    // "Hello, my dog is cute" is [9707, 11, 847, 5562, 374, 18838] for Qwen3.
    assertEquals(6, counter.count("Hello, my dog is cute"));
    assertEquals(0, counter.count(""));
  }

  @Test
  void everyTextOfTheDataKitCountsAsTheNativeTokenizerCountsIt() throws IOException {
    List<String> texts = dataKitTexts().stream().filter(t -> !outsideBmp(t)).toList();
    assertTrue(texts.size() > 5_000, "data kit texts: " + texts.size());
    long chars = 0;
    for (String text : texts) {
      assertEquals(reference.count(text), counter.count(text), () -> "text: " + abbreviated(text));
      chars += text.length();
    }
    assertTrue(chars > 2_000_000, "characters compared: " + chars);
    // Counted again from the memo of pre-tokens: still the same.
    for (int i = 0; i < texts.size(); i += 97) {
      String text = texts.get(i);
      assertEquals(reference.count(text), counter.count(text), () -> "again: " + abbreviated(text));
    }
  }

  @Test
  void randomTextOfTrickyCharactersCountsAsTheNativeTokenizerCountsIt() {
    String[] pieces = {
      "a", "Z", "é", "e\u0301", "\u1100\u1161", "ß", "ſ", "K", "\u212A", "İ", "ﬁ", "9", "٣", "Ⅻ", "½",
      " ", "  ", "\t", "\n", "\r\n", "\r", "\u00A0", "\u2003", "\u3000", "\u0085", "\u2028",
      "\u200B", "\uFEFF", "\u000B", "\u000C", "'s", "'S", "'ll", "'LL", "'ſ", "'t", "’s", ".", ",",
      "!!", "...", "—", "```", "{\"k\": 1}", "$x^2$", "مرحبا", "العالم", "中文", "日本語", "<think>", "</think>", "<|im_start|>",
      "<tool_call>", "<tool_", "<|endoftext|>", "⟦1⟧", "http://x.y/z?a=1", "1234567", "x_y",
    };
    // Nothing outside the BMP here: DJL would count it wrongly (see the reference test).
    Random random = new Random(20261207L);
    for (int i = 0; i < 30_000; i++) {
      StringBuilder text = new StringBuilder();
      int n = random.nextInt(12);
      for (int j = 0; j < n; j++) {
        text.append(pieces[random.nextInt(pieces.length)]);
      }
      String s = text.toString();
      assertEquals(reference.count(s), counter.count(s), () -> "text: " + escaped(s));
    }
  }

  @Test
  void textOutsideTheBmpCountsAsTokenizersOwnBindingCountsIt() throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<String> lines = Files.readAllLines(REFERENCE, StandardCharsets.UTF_8);
    assertTrue(lines.size() > 1_000, "references: " + lines.size());
    int outside = 0;
    for (String line : lines) {
      JsonNode reference = json.readTree(line);
      String text = reference.get("text").asText();
      outside += outsideBmp(text) ? 1 : 0;
      assertEquals(reference.get("tokens").asInt(), counter.count(text),
          () -> "text: " + escaped(text));
    }
    assertTrue(outside > 500, "references outside the BMP: " + outside);
  }

  @Test
  void anUnpairedSurrogateCountsAsTheReplacementCharacter() {
    // A Rust string cannot hold one; crossing into tokenizers it becomes U+FFFD.
    assertEquals(counter.count("a\uFFFDb"), counter.count("a\uD800b"));
    assertEquals(counter.count("\uFFFD x"), counter.count("\uDC00 x"));
  }

  @Test
  void longWordsAndRunsCountAsTheNativeTokenizerCountsThem() {
    for (String s : List.of("a".repeat(5_000), "=".repeat(3_000), " ".repeat(2_000) + "x",
        "ab".repeat(2_500), "1".repeat(999), "\n".repeat(300), "x".repeat(70) + " y",
        "supercalifragilisticexpialidocious".repeat(40))) {
      assertEquals(reference.count(s), counter.count(s), () -> "text: " + abbreviated(s));
    }
  }

  @Test
  void otherTokenizersAreLeftToTheNativeLibrary() throws IOException {
    // SentencePiece-style BPE with byte fallback (Gemma 3, Seed-X): not byte-level.
    for (String name : List.of("gemma3", "seed-x")) {
      Path file = DataKit.models("tokenizers").resolve(name).resolve("tokenizer.json");
      assertTrue(ByteLevelBpeCounter.load(file).isEmpty(), name);
      TokenCounter loaded = TokenCounters.acquire(file.toString());
      try {
        assertInstanceOf(HfTokenCounter.class, loaded, name);
      } finally {
        TokenCounters.release(file.toString());
      }
    }
    TokenCounter qwen = TokenCounters.acquire(QWEN3.toString());
    try {
      assertInstanceOf(ByteLevelBpeCounter.class, qwen);
    } finally {
      TokenCounters.release(QWEN3.toString());
    }
  }

  /** Every string value of every JSON / JSON Lines file of the data kit (a share of big files). */
  private static List<String> dataKitTexts() throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<String> texts = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(DataKit.data())) {
      files = walk.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".jsonl") || p.toString().endsWith(".json"))
          .sorted()
          .toList();
    }
    for (Path file : files) {
      List<String> lines = file.toString().endsWith(".jsonl")
          ? Files.readAllLines(file, StandardCharsets.UTF_8)
          : List.of(Files.readString(file, StandardCharsets.UTF_8));
      int chars = 0;
      for (String line : lines) {
        if (line.isBlank() || chars > 400_000) {
          continue;
        }
        JsonNode node;
        try {
          node = json.readTree(line);
        } catch (IOException notOneDocument) {
          // A .json file of JSON Lines: one document per line.
          for (String l : line.split("\n")) {
            if (!l.isBlank()) {
              chars += collect(json.readTree(l), texts);
            }
          }
          continue;
        }
        chars += collect(node, texts);
      }
    }
    return texts;
  }

  private static int collect(JsonNode node, List<String> into) {
    if (node.isTextual()) {
      into.add(node.asText());
      return node.asText().length();
    }
    int chars = 0;
    for (JsonNode child : node) {
      chars += collect(child, into);
    }
    return chars;
  }

  private static boolean outsideBmp(String s) {
    return s.codePoints().anyMatch(Character::isSupplementaryCodePoint)
        || s.chars().anyMatch(c -> Character.isSurrogate((char) c));
  }

  private static String abbreviated(String s) {
    return escaped(s.length() > 200 ? s.substring(0, 200) + "…" : s);
  }

  private static String escaped(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints().forEach(c -> out.append(c < 0x20 || c > 0x7e
        ? String.format("\\u%04X", c) : String.valueOf((char) c)));
    return out.toString();
  }
}
