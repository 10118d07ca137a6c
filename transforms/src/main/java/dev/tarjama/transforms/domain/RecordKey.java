package dev.tarjama.transforms.domain;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * The key of one input record, unique by construction: where the record came from ({@code
 * location}: {@code file:line} for JSON Lines, lines from 1; {@code file#index} for a JSON-array
 * element or a Parquet row, from 0; {@code file} is the path relative to the input glob) plus the
 * record's own id ({@code userId}, the {@code --id-field} value as given; {@code ""} without one).
 *
 * <p>{@link #id()} is the string every stage keys on and every output folder writes as {@code
 * record_id}: the location alone ({@code train.jsonl:3}), or the location and the user's id in
 * brackets ({@code train.jsonl:3[q17]}). The user's id may be shared by many records (the shards
 * and splits of HF datasets repeat them); the location never is, so two records never share a key.
 * The string is injective: a location always ends in {@code :N} or {@code #N}, and the user's id
 * is written with {@code %}, {@code [} and {@code ]} percent-escaped, so {@link #parse} gives the
 * key back. The user's id itself stays its own field in the record.
 */
@DefaultCoder(ModelCoders.RecordKeyCoder.class)
public record RecordKey(String location, String userId) {
  private static final Pattern LOCATION = Pattern.compile("(?s).+[:#][0-9]+");
  private static final Pattern WITH_USER_ID = Pattern.compile("(?s)(.+[:#][0-9]+)\\[([^\\[\\]]*)]");

  public RecordKey {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(userId, "userId");
    if (!LOCATION.matcher(location).matches()) {
      throw new IllegalArgumentException(
          "a record location is file:line or file#index, not '" + location + "'");
    }
  }

  /** A record known by its place in the input only. */
  public static RecordKey at(String location) {
    return new RecordKey(location, "");
  }

  public boolean hasUserId() {
    return !userId.isEmpty();
  }

  /** The string written as {@code record_id}: {@code location} or {@code location[userId]}. */
  public String id() {
    return hasUserId() ? location + "[" + escape(userId) + "]" : location;
  }

  /** The key whose {@link #id()} is {@code id}. */
  public static RecordKey parse(String id) {
    Matcher m = WITH_USER_ID.matcher(id);
    if (m.matches()) {
      return new RecordKey(m.group(1), unescape(m.group(2)));
    }
    return at(id);
  }

  @Override
  public String toString() {
    return id();
  }

  private static String escape(String s) {
    return s.replace("%", "%25").replace("[", "%5B").replace("]", "%5D");
  }

  private static String unescape(String s) {
    return s.replace("%5B", "[").replace("%5D", "]").replace("%25", "%");
  }
}
