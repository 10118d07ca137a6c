package dev.tarjama.transforms.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.domain.ModelCoders;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Requirements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Writes a command's output folders under one directory (local or gs://, through Beam's FileIO)
 * as Parquet, JSON Lines or gzipped JSON Lines, with one schema per file set.
 *
 * <p>Input: a tuple of JSON object rows, one {@link #rows tag} per folder; each folder is declared
 * with {@link #folder} (its fixed columns, and for {@code chosen/} a {@link Shaper} that sends each
 * row to the file set of its record format). Per folder and file set ("shape"), the {@link RowType}
 * of every row is merged (a Combine), and the files are written with that one schema as
 * {@code FOLDER/SHAPE-00000-of-00001.parquet}. A folder without a row gets one zero-row file of its
 * declared columns ({@code FOLDER/FOLDER-00000-of-00001.parquet}; an empty file in JSON Lines,
 * which holds no schema). Every folder goes through one writer, its file sets keyed {@code
 * FOLDER/SHAPE}; the writer's temporary folder ({@value #TEMPORARY} under the directory) is removed
 * once the files are in place.
 *
 * <p>Output: one JSON line per file set, {@code {folder, shape, rows, path, columns, type}}, for
 * the report and the dataset card. Top-level keys that are not identifiers are renamed ({@code
 * my-field} → {@code my_field}: Parquet column names through Avro must be identifiers).
 */
public final class WriteOutputs extends PTransform<PCollectionTuple, PCollection<String>> {
  /** Sends a row to its file set (and may reshape the row to that set's form). */
  public interface Shaper extends Serializable {
    String shape(ObjectNode row);
  }

  /** A declared output folder: its name, fixed columns, and how rows split into file sets. */
  public static final class Folder implements Serializable {
    private static final long serialVersionUID = 1L;
    final String name;
    final RowType columns;
    final Shaper shaper;

    Folder(String name, RowType columns, Shaper shaper) {
      this.name = name;
      this.columns = columns;
      this.shaper = shaper;
    }
  }

  private final String directory;
  private final OutputFormat format;
  private final int shards;
  private final List<Folder> folders;

  private WriteOutputs(String directory, OutputFormat format, int shards, List<Folder> folders) {
    this.directory = directory;
    this.format = format;
    this.shards = shards;
    this.folders = folders;
  }

  public static WriteOutputs to(String directory) {
    return new WriteOutputs(
        directory.endsWith("/") ? directory : directory + "/", OutputFormat.JSONL, 0, List.of());
  }

  public WriteOutputs withFormat(OutputFormat format) {
    return new WriteOutputs(directory, format, shards, folders);
  }

  /** A fixed number of files per file set; 0 (the default) lets the runner decide. */
  public WriteOutputs withNumShards(int shards) {
    return new WriteOutputs(directory, format, shards, folders);
  }

  /** A folder of one file set with these columns (rows may add more). */
  public WriteOutputs folder(String name, RowType columns) {
    return folder(name, columns, null);
  }

  /** A folder whose rows {@code shaper} splits into file sets. */
  public WriteOutputs folder(String name, RowType columns, Shaper shaper) {
    List<Folder> list = new ArrayList<>(folders);
    list.add(new Folder(name, columns, shaper));
    return new WriteOutputs(directory, format, shards, List.copyOf(list));
  }

  /** The tag of a folder's rows in the input tuple. */
  public static TupleTag<String> rows(String folder) {
    return new TupleTag<>(folder);
  }

  @Override
  public PCollection<String> expand(PCollectionTuple input) {
    List<Folder> present = new ArrayList<>();
    PCollectionList<KV<String, String>> rows = PCollectionList.empty(input.getPipeline());
    for (Folder folder : folders) {
      if (input.has(rows(folder.name))) {
        present.add(folder);
        rows = rows.and(input.get(rows(folder.name))
            .apply("Shape_" + folder.name, ParDo.of(new ShapeRows(folder)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())));
      }
    }
    if (present.isEmpty()) {
      return input.getPipeline().apply("NoOutputs", Create.empty(StringUtf8Coder.of()));
    }
    // Every folder through one writer, keyed by file set (FOLDER/SHAPE): a writer per folder
    // would add its whole expansion to the job graph again for each folder.
    PCollection<KV<String, String>> shaped = rows.apply("AllRows", Flatten.pCollections());
    PCollection<KV<String, FileSet>> sets =
        shaped.apply("Schema", Combine.perKey(new MergeTypes()))
            .apply("Columns", ParDo.of(new DeclaredColumns(present)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), FileSetCoder.of()));
    PCollectionView<Map<String, FileSet>> schemas = sets.apply("Schemas", View.asMap());
    OutputFormat f = format;
    FileIO.Write<String, KV<String, String>> write =
        FileIO.<String, KV<String, String>>writeDynamic()
            .by(KV::getKey)
            .withDestinationCoder(StringUtf8Coder.of())
            .via(
                Contextful.fn(KV::getValue),
                Contextful.fn(
                    (String set, Contextful.Fn.Context c) ->
                        RowSinks.of(f, c.sideInput(schemas).get(set).type),
                    Requirements.requiresSideInputs(schemas)))
            // FOLDER/SHAPE-00000-of-0000N.suffix under the directory: the prefix holds the folder.
            .to(directory)
            .withNaming(set -> FileIO.Write.defaultNaming(set, f.suffix()))
            .withCompression(f.compression());
    if (shards > 0) {
      write = write.withNumShards(shards);
    }
    WriteFilesResult<String> written = shaped.apply("Write", write);
    // After the files are in place: the zero-row files, the temporary folder removed.
    return sets.apply("Collect", Combine.globally(new ToMap()))
        .apply("AfterWrite", Wait.on(written.getPerDestinationOutputFilenames()))
        .apply("Finish", ParDo.of(new FinishFolders(directory, format, present)));
  }

  /** The rows and merged type of one file set. */
  static final class FileSet implements Serializable {
    private static final long serialVersionUID = 1L;
    final RowType type;
    final long rows;

    FileSet(RowType type, long rows) {
      this.type = type;
      this.rows = rows;
    }

    String toJson() {
      ObjectNode node = RecordJson.MAPPER.createObjectNode();
      node.put("rows", rows);
      node.set("type", type.toJson());
      return node.toString();
    }

    static FileSet fromJson(String json) {
      JsonNode node = parse(json);
      return new FileSet(RowType.fromJson(node.get("type")), node.get("rows").asLong());
    }
  }

  /** Deterministic: a FileSet as its JSON text (a {@link StringUtf8Coder} string). */
  static final class FileSetCoder extends ModelCoders.Typed<FileSet> {
    private static final FileSetCoder INSTANCE = new FileSetCoder();

    FileSetCoder() {
      super(
          (out, value) -> StringUtf8Coder.of().encode(value.toJson(), out),
          in -> FileSet.fromJson(StringUtf8Coder.of().decode(in)));
    }

    static FileSetCoder of() {
      return INSTANCE;
    }

    /** A FileSet compares by identity: equal bytes do not make equal values. */
    @Override
    public boolean consistentWithEquals() {
      return false;
    }
  }

  /**
   * Parses each row, renames keys that cannot be columns, and keys it by its file set ({@code
   * FOLDER/SHAPE}).
   */
  static final class ShapeRows extends DoFn<String, KV<String, String>> {
    private final Folder folder;

    ShapeRows(Folder folder) {
      this.folder = folder;
    }

    @ProcessElement
    public void process(@Element String row, OutputReceiver<KV<String, String>> out) {
      if (folder.shaper == null && keysAreColumnNames(row)) {
        // Nothing to rename or reshape: the row goes on as it came. Its type and the line the
        // writer prints come from its parsed tree, the same tree as that of the row printed
        // again here, so the files get the same bytes without a parse and a print per row.
        out.output(KV.of(folder.name + "/" + folder.name, row));
        return;
      }
      ObjectNode node = columnNames((ObjectNode) parse(row));
      String shape = folder.shaper == null ? folder.name : folder.shaper.shape(node);
      out.output(KV.of(folder.name + "/" + shape, RecordJson.print(node)));
    }
  }

  /**
   * Whether {@code row} is one JSON object whose top-level keys are all identifiers (what {@link
   * #columnNames} leaves as it is), read token by token; false for anything else, which then takes
   * the parsed path and its errors.
   */
  static boolean keysAreColumnNames(String row) {
    try (com.fasterxml.jackson.core.JsonParser p =
        RecordJson.MAPPER.getFactory().createParser(row)) {
      if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        return false;
      }
      while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        if (!RowType.isIdentifier(p.currentName())) {
          return false;
        }
        p.nextToken();
        p.skipChildren();
      }
      return p.currentToken() == com.fasterxml.jackson.core.JsonToken.END_OBJECT
          && p.nextToken() == null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** {@code row} with every top-level key an identifier ({@code a-b} → {@code a_b}). */
  static ObjectNode columnNames(ObjectNode row) {
    boolean clean = true;
    for (Iterator<String> it = row.fieldNames(); it.hasNext(); ) {
      clean &= RowType.isIdentifier(it.next());
    }
    if (clean) {
      return row;
    }
    ObjectNode renamed = RecordJson.MAPPER.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey().replaceAll("[^A-Za-z0-9_]", "_");
      if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
        name = "_" + name;
      }
      while (renamed.has(name)) {
        name = name + "_";
      }
      renamed.set(name, e.getValue());
    }
    return renamed;
  }

  /**
   * Merges the type of every row of a file set; {@link DeclaredColumns} then adds the folder's
   * declared columns (a CombineFn does not see the key that names the folder).
   */
  static final class MergeTypes extends Combine.CombineFn<String, FileSet, FileSet> {
    @Override
    public FileSet createAccumulator() {
      return new FileSet(RowType.NULL, 0);
    }

    @Override
    public FileSet addInput(FileSet acc, String row) {
      return new FileSet(acc.type.merge(typeOf(row)), acc.rows + 1);
    }

    private static RowType typeOf(String row) {
      try {
        return RowType.ofJson(row);
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException("an output row is not JSON", e);
      }
    }

    @Override
    public FileSet mergeAccumulators(Iterable<FileSet> accs) {
      RowType type = RowType.NULL;
      long rows = 0;
      for (FileSet a : accs) {
        type = type.merge(a.type);
        rows += a.rows;
      }
      return new FileSet(type, rows);
    }

    @Override
    public FileSet extractOutput(FileSet acc) {
      return acc;
    }

    @Override
    public Coder<FileSet> getAccumulatorCoder(CoderRegistry registry, Coder<String> input) {
      return FileSetCoder.of();
    }

    @Override
    public Coder<FileSet> getDefaultOutputCoder(CoderRegistry registry, Coder<String> input) {
      return FileSetCoder.of();
    }
  }

  /**
   * A file set's merged type on top of its folder's declared columns, finished as files store it.
   * A folder split into file sets by a {@link Shaper} declares none of its own per set.
   */
  static final class DeclaredColumns extends DoFn<KV<String, FileSet>, KV<String, FileSet>> {
    private final Map<String, RowType> columns = new LinkedHashMap<>();

    DeclaredColumns(List<Folder> folders) {
      folders.forEach(f -> columns.put(f.name, f.shaper == null ? f.columns : RowType.NULL));
    }

    @ProcessElement
    public void process(@Element KV<String, FileSet> set, OutputReceiver<KV<String, FileSet>> out) {
      RowType declared = columns.get(folderOf(set.getKey()));
      FileSet merged = set.getValue();
      out.output(KV.of(set.getKey(), new FileSet(declared.merge(merged.type).finish(), merged.rows)));
    }
  }

  /** The folder of a file set's key {@code FOLDER/SHAPE} (folder names hold no slash). */
  static String folderOf(String set) {
    return set.substring(0, set.indexOf('/'));
  }

  /** Every file set of every folder in one map, by {@code FOLDER/SHAPE} (empty when no row). */
  static final class ToMap
      extends Combine.CombineFn<KV<String, FileSet>, Map<String, String>, Map<String, String>> {
    @Override
    public Map<String, String> createAccumulator() {
      return new LinkedHashMap<>();
    }

    @Override
    public Map<String, String> addInput(Map<String, String> acc, KV<String, FileSet> set) {
      acc.put(set.getKey(), set.getValue().toJson());
      return acc;
    }

    @Override
    public Map<String, String> mergeAccumulators(Iterable<Map<String, String>> accs) {
      Map<String, String> all = new LinkedHashMap<>();
      accs.forEach(all::putAll);
      return all;
    }

    @Override
    public Map<String, String> extractOutput(Map<String, String> acc) {
      return acc;
    }
  }

  /**
   * Writes the zero-row file of each folder that got no row, removes the writer's temporary
   * folder, and describes each file set.
   */
  static final class FinishFolders extends DoFn<Map<String, String>, String> {
    private final String directory;
    private final OutputFormat format;
    private final List<Folder> folders;

    FinishFolders(String directory, OutputFormat format, List<Folder> folders) {
      this.directory = directory;
      this.format = format;
      this.folders = folders;
    }

    @ProcessElement
    public void process(@Element Map<String, String> sets, OutputReceiver<String> out)
        throws IOException {
      Map<String, Map<String, FileSet>> byFolder = new LinkedHashMap<>();
      folders.forEach(folder -> byFolder.put(folder.name, new java.util.TreeMap<>()));
      sets.forEach((set, json) -> byFolder.get(folderOf(set))
          .put(set.substring(set.indexOf('/') + 1), FileSet.fromJson(json)));
      for (Folder folder : folders) {
        Map<String, FileSet> all = byFolder.get(folder.name);
        if (all.isEmpty()) {
          FileSet empty = new FileSet(folder.columns.finish(), 0);
          RowSinks.writeEmpty(format, empty.type,
              directory + folder.name + "/" + folder.name + "-00000-of-00001" + format.extension());
          all.put(folder.name, empty);
        }
      }
      // The one writer's, under the directory it writes to (FileIO's default).
      removeTemporaryFolder(directory + TEMPORARY);
      byFolder.forEach((folder, all) ->
          all.forEach((shape, set) -> out.output(describe(folder, shape, set))));
    }

    private String describe(String folder, String shape, FileSet set) {
      ObjectNode node = RecordJson.MAPPER.createObjectNode();
      node.put("folder", folder);
      node.put("shape", shape);
      node.put("rows", set.rows);
      node.put("path", folder + "/" + shape + "-*" + format.extension());
      set.type.columns().forEach(node.putArray("columns")::add);
      node.set("type", set.type.toJson());
      return node.toString();
    }
  }

  /** Where FileIO writes before it renames (FileIO's default, under the directory written). */
  static final String TEMPORARY = ".temp-beam";

  /**
   * FileIO deletes its temporary files but leaves their folders, which would sit beside the data
   * files: on a local file system the empty folders go too (object stores have no folders).
   */
  static void removeTemporaryFolder(String path) throws IOException {
    if (path.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
      return;
    }
    java.nio.file.Path root = java.nio.file.Path.of(path.replaceFirst("^file:", ""));
    if (!java.nio.file.Files.isDirectory(root)) {
      return;
    }
    try (java.util.stream.Stream<java.nio.file.Path> walk = java.nio.file.Files.walk(root)) {
      for (java.nio.file.Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (java.nio.file.Files.isDirectory(p)) {
          java.nio.file.Files.deleteIfExists(p); // fails, rightly, on a folder that is not empty
        }
      }
    }
  }

  private static JsonNode parse(String json) {
    try {
      return RecordJson.parse(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("an output row is not JSON", e);
    }
  }
}
