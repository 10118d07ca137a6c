package dev.tarjama.models.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts tokens of a byte-level BPE {@code tokenizer.json} (GPT-2's scheme, used by Qwen, Llama 3
 * and most open chat models) in plain Java, exactly as Hugging Face {@code tokenizers} encodes
 * without special tokens: added tokens are cut out first (leftmost-longest, one token each), the
 * rest is normalized (NFC or nothing), split by the pre-tokenizer's regex, mapped byte by byte to
 * the GPT-2 alphabet and merged by rank.
 *
 * <p>Why not the native tokenizer: chunking asks for the count of every prose piece, and most
 * pre-tokens ("the", " of", ".") repeat, so a count per pre-token, computed once and remembered,
 * makes counting a regex scan and a few map look-ups instead of a JNI call that encodes (and copies
 * back) every id. Only the shape described above is handled; {@link #load} says empty for any
 * other tokenizer (SentencePiece-style byte fallback, other normalizers or pre-tokenizers, added
 * tokens that strip whitespace), and those are counted by {@link HfTokenCounter}.
 *
 * <p>Thread-safe: the tables are read-only after loading and the pre-token memo is concurrent.
 */
public final class ByteLevelBpeCounter implements TokenCounter {
  /** GPT-2's byte-level pre-tokenizer regex, for {@code ByteLevel} with {@code use_regex}. */
  static final String GPT2_PATTERN =
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

  /** Pre-tokens longer than this are counted without being remembered (rare, unlikely again). */
  private static final int MEMO_MAX_LENGTH = 64;

  /** Past this many remembered pre-tokens the memo stops growing; counting stays exact. */
  private static final int MEMO_CAPACITY = 500_000;

  private final Path file;
  private final Pattern split;
  private final boolean nfc;
  private final boolean ignoreMerges;
  /** The vocabulary id of each byte's one-character GPT-2 symbol. */
  private final int[] byteIds;
  /** Whole byte-mapped words in the vocabulary, for {@code ignore_merges}. */
  private final Map<String, Integer> vocab;
  /** (left id, right id) → (rank, merged id), both packed in longs. */
  private final MergeTable merges;
  private final AddedTokens raw;
  private final AddedTokens normalized;
  private final ConcurrentHashMap<String, Integer> memo = new ConcurrentHashMap<>();

  private ByteLevelBpeCounter(
      Path file,
      Pattern split,
      boolean nfc,
      boolean ignoreMerges,
      int[] byteIds,
      Map<String, Integer> vocab,
      MergeTable merges,
      AddedTokens raw,
      AddedTokens normalized) {
    this.file = file;
    this.split = split;
    this.nfc = nfc;
    this.ignoreMerges = ignoreMerges;
    this.byteIds = byteIds;
    this.vocab = vocab;
    this.merges = merges;
    this.raw = raw;
    this.normalized = normalized;
  }

  /**
   * The counter for {@code file} when it is a byte-level BPE tokenizer of the shape this class
   * counts exactly, else empty (the caller uses the native tokenizer).
   *
   * @throws IOException when the file cannot be read or is not JSON
   */
  public static Optional<ByteLevelBpeCounter> load(Path file) throws IOException {
    JsonNode root;
    try (InputStream in = Files.newInputStream(file)) {
      root = new ObjectMapper().readTree(in);
    }
    if (root == null || !root.isObject()) {
      return Optional.empty();
    }
    JsonNode model = root.path("model");
    if (!"BPE".equals(model.path("type").asText())
        || model.path("byte_fallback").asBoolean(false)
        || !isNullOrEmpty(model.get("dropout"))
        || !isNullOrEmpty(model.get("continuing_subword_prefix"))
        || !isNullOrEmpty(model.get("end_of_word_suffix"))
        || !model.path("vocab").isObject()
        || !model.path("merges").isArray()) {
      return Optional.empty();
    }
    Boolean nfc = normalizer(root.get("normalizer"));
    Pattern split = preTokenizer(root.get("pre_tokenizer"));
    if (nfc == null || split == null) {
      return Optional.empty();
    }

    Map<String, Integer> vocab = new HashMap<>(model.path("vocab").size() * 2);
    model.path("vocab").fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
    int[] byteIds = new int[256];
    char[] alphabet = byteAlphabet();
    for (int b = 0; b < 256; b++) {
      Integer id = vocab.get(String.valueOf(alphabet[b]));
      if (id == null) {
        return Optional.empty();
      }
      byteIds[b] = id;
    }
    MergeTable merges = new MergeTable(model.path("merges").size());
    int rank = 0;
    for (JsonNode merge : model.path("merges")) {
      String left;
      String right;
      if (merge.isArray() && merge.size() == 2) {
        left = merge.get(0).asText();
        right = merge.get(1).asText();
      } else if (merge.isTextual()) {
        String[] parts = merge.asText().split(" ", -1);
        if (parts.length != 2) {
          return Optional.empty();
        }
        left = parts[0];
        right = parts[1];
      } else {
        return Optional.empty();
      }
      Integer l = vocab.get(left);
      Integer r = vocab.get(right);
      Integer m = vocab.get(left + right);
      if (l == null || r == null || m == null) {
        return Optional.empty();
      }
      merges.put(l, r, rank++, m);
    }

    List<String> raw = new ArrayList<>();
    List<String> norm = new ArrayList<>();
    for (JsonNode added : root.path("added_tokens")) {
      if (added.path("single_word").asBoolean(false)
          || added.path("lstrip").asBoolean(false)
          || added.path("rstrip").asBoolean(false)) {
        return Optional.empty();
      }
      String content = added.path("content").asText("");
      if (content.isEmpty()) {
        continue;
      }
      (added.path("normalized").asBoolean(!added.path("special").asBoolean(false)) ? norm : raw)
          .add(content);
    }
    return Optional.of(new ByteLevelBpeCounter(file, split, nfc,
        model.path("ignore_merges").asBoolean(false), byteIds, vocab, merges,
        new AddedTokens(raw), new AddedTokens(norm)));
  }

  @Override
  public int count(String text) {
    if (text.isEmpty()) {
      return 0;
    }
    return raw.count(text, this::countNormalized);
  }

  private int countNormalized(String piece) {
    String text = nfc && !Normalizer.isNormalized(piece, Normalizer.Form.NFC)
        ? Normalizer.normalize(piece, Normalizer.Form.NFC)
        : piece;
    return normalized.isEmpty() ? countPlain(text) : normalized.count(text, this::countPlain);
  }

  /** Pre-tokenizes with the split regex ("Isolated": matches and the gaps between are pieces). */
  private int countPlain(String text) {
    int total = 0;
    int last = 0;
    Matcher m = split.matcher(text);
    while (m.find()) {
      if (m.start() > last) {
        total += countPreToken(text.substring(last, m.start()));
      }
      if (m.end() > m.start()) {
        total += countPreToken(text.substring(m.start(), m.end()));
      }
      last = m.end();
    }
    if (last < text.length()) {
      total += countPreToken(text.substring(last));
    }
    return total;
  }

  private int countPreToken(String word) {
    if (word.length() > MEMO_MAX_LENGTH) {
      return bpe(word);
    }
    Integer known = memo.get(word);
    if (known != null) {
      return known;
    }
    int n = bpe(word);
    if (memo.size() < MEMO_CAPACITY) {
      memo.put(word, n);
    }
    return n;
  }

  /** The number of tokens BPE makes of one pre-token, merging the lowest rank first. */
  int bpe(String word) {
    byte[] bytes = utf8(word);
    int n = bytes.length;
    if (ignoreMerges) {
      char[] alphabet = ALPHABET;
      char[] mapped = new char[n];
      for (int i = 0; i < n; i++) {
        mapped[i] = alphabet[bytes[i] & 0xff];
      }
      if (vocab.containsKey(new String(mapped))) {
        return 1;
      }
    }
    if (n < 2) {
      return n;
    }
    int[] ids = new int[n];
    int[] prev = new int[n];
    int[] next = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = byteIds[bytes[i] & 0xff];
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    // A min-heap of (rank << 32 | position): the lowest rank first, then the leftmost, as
    // tokenizers' Word::merge_all orders its queue. Entries go stale when a neighbour merges;
    // a popped entry counts only if the pair at its position still has its rank.
    LongHeap queue = new LongHeap(n);
    for (int i = 0; i + 1 < n; i++) {
      long merge = merges.get(ids[i], ids[i + 1]);
      if (merge >= 0) {
        queue.push((merge >>> 32) << 32 | i);
      }
    }
    int alive = n;
    boolean[] gone = new boolean[n];
    while (!queue.isEmpty()) {
      long top = queue.pop();
      int pos = (int) top;
      long rank = top >>> 32;
      if (gone[pos] || next[pos] < 0) {
        continue;
      }
      int right = next[pos];
      long merge = merges.get(ids[pos], ids[right]);
      if (merge < 0 || (merge >>> 32) != rank) {
        continue;
      }
      ids[pos] = (int) merge;
      gone[right] = true;
      alive--;
      next[pos] = next[right];
      if (next[pos] >= 0) {
        prev[next[pos]] = pos;
      }
      if (prev[pos] >= 0) {
        long left = merges.get(ids[prev[pos]], ids[pos]);
        if (left >= 0) {
          queue.push((left >>> 32) << 32 | prev[pos]);
        }
      }
      if (next[pos] >= 0) {
        long after = merges.get(ids[pos], ids[next[pos]]);
        if (after >= 0) {
          queue.push((after >>> 32) << 32 | pos);
        }
      }
    }
    return alive;
  }

  /**
   * UTF-8 as Rust strings hold it; an unpaired surrogate (possible in a Java string, never in a
   * Rust one) becomes U+FFFD, as the string crosses into the native tokenizer.
   */
  private static byte[] utf8(String word) {
    boolean ascii = true;
    for (int i = 0; i < word.length(); i++) {
      if (word.charAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return word.getBytes(StandardCharsets.ISO_8859_1);
    }
    StringBuilder clean = null;
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      boolean paired = Character.isHighSurrogate(c)
          ? i + 1 < word.length() && Character.isLowSurrogate(word.charAt(i + 1))
          : !Character.isLowSurrogate(c) || (i > 0 && Character.isHighSurrogate(word.charAt(i - 1)));
      if (!paired) {
        if (clean == null) {
          clean = new StringBuilder(word.substring(0, i));
        }
        clean.append('\uFFFD');
      } else if (clean != null) {
        clean.append(c);
      }
    }
    return (clean == null ? word : clean.toString()).getBytes(StandardCharsets.UTF_8);
  }

  /** NFC or nothing: {@code true}/{@code false}; any other normalizer: null (unsupported). */
  private static Boolean normalizer(JsonNode node) {
    if (isNullOrEmpty(node)) {
      return false;
    }
    String type = node.path("type").asText();
    if (type.equals("NFC")) {
      return true;
    }
    if (type.equals("Sequence") && node.path("normalizers").isArray()) {
      boolean nfc = false;
      for (JsonNode n : node.path("normalizers")) {
        Boolean one = normalizer(n);
        if (one == null) {
          return null;
        }
        if (one) {
          if (nfc) {
            return null;
          }
          nfc = true;
        }
      }
      return nfc;
    }
    return null;
  }

  /** The split regex of the byte-level pre-tokenizer, or null when the shape is another. */
  private static Pattern preTokenizer(JsonNode node) {
    if (isNullOrEmpty(node)) {
      return null;
    }
    String type = node.path("type").asText();
    if (type.equals("ByteLevel")) {
      return byteLevelPlain(node) == null && node.path("use_regex").asBoolean(true)
              && !node.path("add_prefix_space").asBoolean(true)
          ? compile(GPT2_PATTERN)
          : null;
    }
    if (!type.equals("Sequence")) {
      return null;
    }
    JsonNode steps = node.path("pretokenizers");
    if (steps.size() != 2) {
      return null;
    }
    JsonNode splitStep = steps.get(0);
    JsonNode byteLevel = steps.get(1);
    if (!"Split".equals(splitStep.path("type").asText())
        || !"Isolated".equals(splitStep.path("behavior").asText())
        || splitStep.path("invert").asBoolean(false)
        || !splitStep.path("pattern").has("Regex")
        || byteLevelPlain(byteLevel) == null) {
      return null;
    }
    return compile(splitStep.path("pattern").path("Regex").asText());
  }

  /** A {@code ByteLevel} step that only maps bytes (no prefix space, no regex of its own). */
  private static JsonNode byteLevelPlain(JsonNode node) {
    return "ByteLevel".equals(node.path("type").asText())
            && !node.path("add_prefix_space").asBoolean(true)
            && !node.path("use_regex").asBoolean(true)
        ? node
        : null;
  }

  private static Pattern compile(String regex) {
    // Oniguruma, which tokenizers uses, folds case and classes by Unicode.
    return Pattern.compile(regex, Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
  }

  private static boolean isNullOrEmpty(JsonNode node) {
    return node == null || node.isNull() || (node.isTextual() && node.asText().isEmpty());
  }

  private static final char[] ALPHABET = byteAlphabet();

  /** GPT-2's bytes_to_unicode: printable bytes stand for themselves, the rest move past 255. */
  static char[] byteAlphabet() {
    char[] alphabet = new char[256];
    boolean[] printable = new boolean[256];
    for (int b = '!'; b <= '~'; b++) {
      printable[b] = true;
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      printable[b] = true;
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      printable[b] = true;
    }
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      alphabet[b] = printable[b] ? (char) b : (char) (256 + extra++);
    }
    return alphabet;
  }

  /** How many pre-tokens are remembered (for tests). */
  int remembered() {
    return memo.size();
  }

  @Override
  public String describe() {
    return "tokenizer " + file;
  }

  @Override
  public String toString() {
    return describe();
  }
}
