package dev.tarjama.transforms.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.domain.SourceRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * A generated corpus of malformed inputs over the data kit's real records, in every format the
 * readers take (JSON Lines, JSON arrays, both gzipped, Parquet): truncation at every byte class,
 * a wrong JSON type at every pointer, invalid UTF-8, NaN and Infinity, duplicate keys, 10 MB
 * strings, 1,000-deep nesting, mixed formats and schemas in one file, empty files, byte-order
 * marks. Each input is a file name and its bytes; {@code records} is how many input records it
 * holds when that is known (one per line or element), else -1.
 */
final class FuzzCorpus {
  record Input(String name, byte[] bytes, int records) {}

  /** One real record of each data-kit file, with the schema it has. */
  static final List<String> SEED_FILES = List.of(
      "instruct/smoltalk2_style/gsm8k_think.jsonl",
      "instruct/smoltalk2_style/think_tools.jsonl",
      "instruct/gsm8k/test.jsonl",
      "instruct/alpaca_seed/seed_tasks.jsonl",
      "instruct/llamafactory/reason_tool_use_demo_50.jsonl",
      "instruct/bfcl/BFCL_v4_live_simple.json",
      "instruct/llamafactory/alpaca_en_demo.json",
      "instruct/llamafactory/dpo_en_demo.json");

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private FuzzCorpus() {}

  /** The first record of each seed file, printed compactly. */
  static List<String> seeds() throws IOException {
    List<String> seeds = new ArrayList<>();
    for (String file : SEED_FILES) {
      KitReader.Collected c = KitReader.read(file);
      seeds.add(RecordJson.print(RecordJson.parse(c.records.get(0).json())));
      seeds.add(RecordJson.print(RecordJson.parse(c.records.get(1).json())));
    }
    return seeds;
  }

  static List<Input> generate(Path scratch) throws IOException {
    List<String> seeds = seeds();
    List<Input> out = new ArrayList<>();
    for (int s = 0; s < seeds.size(); s++) {
      String seed = seeds.get(s);
      byte[] bytes = seed.getBytes(StandardCharsets.UTF_8);
      truncations(out, "seed" + s, bytes);
      wrongTypes(out, "seed" + s, seed);
      invalidUtf8(out, "seed" + s, bytes);
      nonFinite(out, "seed" + s, seed);
      duplicateKeys(out, "seed" + s, seed);
      out.add(new Input("bom" + s + ".jsonl", concat(BOM, bytes), 1));
      out.add(new Input("bom" + s + ".json", concat(BOM, ("[" + seed + "]").getBytes(UTF8)), 1));
    }
    truncatedGzip(out, seeds);
    hugeAndDeep(out);
    mixed(out, seeds);
    empty(out);
    parquet(out, scratch);
    return out;
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  /** What kind of byte it is: where a cut lands decides which parser state it breaks. */
  static int byteClass(byte b) {
    int c = b & 0xFF;
    if (c >= 0x80) {
      return c >= 0xC0 ? 0 : 1; // UTF-8 lead, continuation
    }
    if ("{}[]".indexOf(c) >= 0) {
      return 2;
    }
    if (c == ':' || c == ',') {
      return 3;
    }
    if (c == '"') {
      return 4;
    }
    if (c == '\\') {
      return 5;
    }
    if (Character.isDigit(c) || c == '-' || c == '.') {
      return 6;
    }
    if (Character.isLetter(c)) {
      return 7;
    }
    return 8; // blanks, punctuation
  }

  /** Cuts after up to 25 bytes of each class, spread over the record, as a line and an element. */
  private static void truncations(List<Input> out, String name, byte[] bytes) {
    for (int cls = 0; cls <= 8; cls++) {
      List<Integer> at = new ArrayList<>();
      for (int i = 0; i < bytes.length - 1; i++) {
        if (byteClass(bytes[i]) == cls) {
          at.add(i);
        }
      }
      int step = Math.max(1, at.size() / 25);
      for (int j = 0; j < at.size(); j += step) {
        int cut = at.get(j) + 1;
        byte[] prefix = Arrays.copyOf(bytes, cut);
        out.add(new Input(name + "-cut" + cut + ".jsonl", prefix, 1));
        out.add(new Input(name + "-cut" + cut + ".json", concat("[".getBytes(UTF8), prefix), 1));
      }
    }
  }

  /** Every pointer of the record given a value of each other JSON type. */
  private static void wrongTypes(List<Input> out, String name, String seed) throws IOException {
    JsonNode root = RecordJson.parse(seed);
    List<String> pointers = new ArrayList<>();
    pointers(root, "", pointers);
    JsonNodeFactory f = JsonNodeFactory.instance;
    List<JsonNode> values = List.of(f.nullNode(), f.numberNode(7), f.textNode("x"),
        f.booleanNode(true), f.arrayNode(), f.objectNode());
    int n = 0;
    for (String pointer : pointers.subList(0, Math.min(pointers.size(), 80))) {
      for (JsonNode value : values) {
        JsonNode copy = root.deepCopy();
        JsonNode before = copy.at(pointer);
        if (before.getNodeType() == value.getNodeType() && !before.isContainerNode()) {
          continue;
        }
        JsonNode mutated = pointer.isEmpty() ? value : replace(copy, pointer, value);
        // A whole record replaced by an array makes the file a JSON array (of nothing).
        int records = pointer.isEmpty() && value.isArray() ? 0 : 1;
        out.add(new Input(name + "-type" + (n++) + ".jsonl",
            RecordJson.print(mutated).getBytes(UTF8), records));
      }
    }
  }

  private static void pointers(JsonNode node, String at, List<String> out) {
    out.add(at);
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        pointers(e.getValue(), at + "/" + e.getKey().replace("~", "~0").replace("/", "~1"), out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        pointers(node.get(i), at + "/" + i, out);
      }
    }
  }

  private static JsonNode replace(JsonNode root, String pointer, JsonNode value) {
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = root.at(pointer.substring(0, slash));
    String last = pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~");
    if (parent.isObject()) {
      ((ObjectNode) parent).set(last, value);
    } else {
      ((ArrayNode) parent).set(Integer.parseInt(last), value);
    }
    return root;
  }

  private static final byte[][] BAD_UTF8 = {
    {(byte) 0xFF}, {(byte) 0xC3}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
    {(byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}
  };

  private static void invalidUtf8(List<Input> out, String name, byte[] bytes) {
    for (int k = 0; k < 12; k++) {
      int at = 1 + (int) ((long) (bytes.length - 2) * k / 12);
      for (int b = 0; b < BAD_UTF8.length; b++) {
        byte[] mutated = concat(Arrays.copyOf(bytes, at), BAD_UTF8[b],
            Arrays.copyOfRange(bytes, at, bytes.length));
        out.add(new Input(name + "-utf8-" + at + "-" + b + ".jsonl", mutated, 1));
        if (k % 4 == 0) {
          out.add(new Input(name + "-utf8-" + at + "-" + b + ".json",
              concat("[".getBytes(UTF8), mutated, "]".getBytes(UTF8)), 1));
        }
      }
    }
  }

  /** NaN, Infinity and out-of-range numbers in place of each value of the record. */
  private static void nonFinite(List<Input> out, String name, String seed) {
    String[] tokens = {"NaN", "Infinity", "-Infinity", "1e999", "-0", "1e-400", "+1", "01"};
    int n = 0;
    int colon = -1;
    for (int k = 0; k < 6 && (colon = seed.indexOf("\":", colon + 1)) >= 0; k++) {
      for (String t : tokens) {
        String mutated = seed.substring(0, colon + 2) + t + "," + "\"fuzz_rest\":"
            + seed.substring(colon + 2);
        out.add(new Input(name + "-num" + (n++) + ".jsonl", mutated.getBytes(UTF8), 1));
      }
    }
  }

  /** Each of the record's first keys given twice. */
  private static void duplicateKeys(List<Input> out, String name, String seed) throws IOException {
    JsonNode root = RecordJson.parse(seed);
    int n = 0;
    for (Iterator<String> names = root.fieldNames(); names.hasNext() && n < 6; ) {
      String key = names.next();
      String mutated = "{" + RecordJson.MAPPER.writeValueAsString(key) + ":\"again\","
          + seed.substring(1);
      out.add(new Input(name + "-dup" + (n++) + ".jsonl", mutated.getBytes(UTF8), 1));
    }
  }

  /** Gzipped files of 40 records cut at 20 places: every complete line before the cut counts. */
  private static void truncatedGzip(List<Input> out, List<String> seeds) throws IOException {
    StringBuilder lines = new StringBuilder();
    StringBuilder array = new StringBuilder("[\n");
    for (int i = 0; i < 40; i++) {
      String seed = seeds.get(i % seeds.size());
      lines.append(seed).append('\n');
      array.append(i == 0 ? "" : ",\n").append(seed);
    }
    array.append("\n]\n");
    byte[] jsonl = gzip(lines.toString().getBytes(UTF8));
    byte[] json = gzip(array.toString().getBytes(UTF8));
    for (int k = 1; k <= 20; k++) {
      out.add(new Input("cut" + k + ".jsonl.gz", Arrays.copyOf(jsonl, jsonl.length * k / 21), -1));
      out.add(new Input("cut" + k + ".json.gz", Arrays.copyOf(json, json.length * k / 21), -1));
    }
    out.add(new Input("whole.jsonl.gz", jsonl, 40));
    out.add(new Input("whole.json.gz", json, 40));
  }

  private static void hugeAndDeep(List<Input> out) {
    String ten = "a".repeat(10 << 20);
    out.add(new Input("huge-messages.jsonl", ("{\"messages\": [{\"role\": \"user\", \"content\": \""
        + ten + "\"}, {\"role\": \"assistant\", \"content\": \"ok\"}]}").getBytes(UTF8), 1));
    out.add(new Input("huge-key.json", ("[{\"instruction\": \"q\", \"output\": \"a\", \""
        + ten + "\": 1}]").getBytes(UTF8), 1));
    String deepArrays = "[".repeat(1000) + "]".repeat(1000);
    String deepObjects = "{\"a\":".repeat(1000) + "1" + "}".repeat(1000);
    String msg = "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, "
        + "{\"role\": \"assistant\", \"content\": \"yo\"}]";
    out.add(new Input("deep-arrays.jsonl", ("{" + msg + ", \"extra\": " + deepArrays + "}")
        .getBytes(UTF8), 1));
    out.add(new Input("deep-objects.jsonl", ("{" + msg + ", \"extra\": " + deepObjects + "}")
        .getBytes(UTF8), 1));
    out.add(new Input("deep-content.jsonl", ("{\"messages\": [{\"role\": \"user\", \"content\": "
        + deepArrays + "}]}").getBytes(UTF8), 1));
    out.add(new Input("deep-element.json", ("[" + deepObjects + "]").getBytes(UTF8), 1));
    out.add(new Input("deep-unclosed.json", ("[" + "[".repeat(5000)).getBytes(UTF8), -1));
  }

  /** Several schemas, a JSON array line and binary garbage in one JSON Lines file, and so on. */
  private static void mixed(List<Input> out, List<String> seeds) {
    StringBuilder lines = new StringBuilder();
    for (String seed : seeds) {
      lines.append(seed).append('\n');
    }
    lines.append("[1, 2, 3]\n").append("\"a string\"\n").append("PAR1garbage\n")
        .append("{\"messages\": []}\n").append("null\n");
    out.add(new Input("mixed.jsonl", lines.toString().getBytes(UTF8), seeds.size() + 5));
    StringBuilder array = new StringBuilder("[");
    for (int i = 0; i < seeds.size(); i++) {
      array.append(seeds.get(i)).append(',');
    }
    array.append("42, \"x\", [], null, {\"instruction\": 3}]");
    out.add(new Input("mixed.json", array.toString().getBytes(UTF8), seeds.size() + 5));
    // A JSON Lines file whose second line is a JSON array of records: one line, one dead letter.
    out.add(new Input("array-line.jsonl", (seeds.get(0) + "\n[" + seeds.get(1) + "]\n")
        .getBytes(UTF8), 2));
    // Windows line ends, blank lines and a BOM on a middle line.
    out.add(new Input("crlf.jsonl", concat((seeds.get(2) + "\r\n\r\n").getBytes(UTF8), BOM,
        (seeds.get(3) + "\r\n").getBytes(UTF8)), 2));
  }

  private static void empty(List<Input> out) throws IOException {
    out.add(new Input("empty.jsonl", new byte[0], 0));
    out.add(new Input("empty.json", new byte[0], 0));
    out.add(new Input("blank.jsonl", " \n\n\t\r\n".getBytes(UTF8), 0));
    out.add(new Input("empty-array.json", "[]".getBytes(UTF8), 0));
    out.add(new Input("open-array.json", "[".getBytes(UTF8), -1));
    out.add(new Input("bom-only.jsonl", BOM, 0));
    out.add(new Input("bom-only.json", concat(BOM, "[]".getBytes(UTF8)), 0));
    out.add(new Input("zero.jsonl.gz", new byte[0], -1));
    out.add(new Input("empty.jsonl.gz", gzip(new byte[0]), 0));
    out.add(new Input("empty.parquet", new byte[0], -1));
    out.add(new Input("text.parquet", "not parquet at all".getBytes(UTF8), -1));
  }

  /** A real Parquet file, whole and cut at 30 places. */
  private static void parquet(List<Input> out, Path scratch) throws IOException {
    KitReader.Collected kit = KitReader.read("instruct/smoltalk2_style/think_tools.jsonl");
    List<SourceRecord> rows = kit.records.subList(0, 20);
    Path file = scratch.resolve("fuzz-source.parquet");
    Files.deleteIfExists(file);
    SmolTalk2Parquet.write(file, rows);
    byte[] bytes = Files.readAllBytes(file);
    out.add(new Input("whole.parquet", bytes, 20));
    for (int k = 1; k <= 30; k++) {
      out.add(new Input("cut" + k + ".parquet", Arrays.copyOf(bytes, bytes.length * k / 31), -1));
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }
}
