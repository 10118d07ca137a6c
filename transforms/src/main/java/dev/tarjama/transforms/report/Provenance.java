package dev.tarjama.transforms.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a report comes from: Tarjama's version, the command line with secrets redacted, start and
 * end times, and each backend's settings. A command line can carry secrets in option values whose
 * name says so ({@code key=}, {@code api-key}, {@code token}, {@code password}, {@code secret},
 * {@code credential}) and in URLs' user info ({@code redis://:pw@host}); those values are replaced
 * by {@link #REDACTED}. Names of environment variables ({@code key-env=VAR}) and Secret Manager
 * paths ({@code key-secret=projects/…}) say where a key is, not what it is, and are kept.
 */
public final class Provenance {
  public static final String REDACTED = "***";
  /** An option or spec key whose value is a secret (not key-env / key-secret: they only point). */
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i)(?:^|[-_.])(key|api[-_]?key|token|password|passwd|secret|credentials?|"
          + "auth(?:orization)?|bearer)$");
  private static final Pattern USER_INFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)[^/@\\s,]*@");
  private static final Pattern PAIR = Pattern.compile("([A-Za-z][A-Za-z0-9_.-]*)=([^,]*)");

  private Provenance() {}

  /** One command-line argument with secret values replaced. */
  public static String redact(String arg) {
    String out = USER_INFO.matcher(arg).replaceAll("$1" + REDACTED + "@");
    if (out.startsWith("--")) {
      int eq = out.indexOf('=');
      if (eq > 0 && secret(out.substring(2, eq))) {
        return out.substring(0, eq + 1) + REDACTED;
      }
      if (eq > 0) {
        return out.substring(0, eq + 1) + redactPairs(out.substring(eq + 1));
      }
      return out;
    }
    return redactPairs(out);
  }

  private static boolean secret(String name) {
    String n = name.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    return !n.equals("key-env") && !n.equals("key-secret") && SECRET_NAME.matcher(n).find();
  }

  /** In {@code a=b,c=d} specs (backends, policies), secret-named values replaced. */
  private static String redactPairs(String spec) {
    Matcher m = PAIR.matcher(spec);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = secret(m.group(1)) ? REDACTED : m.group(2);
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + "=" + value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * The provenance object: {@code version}, {@code command} (redacted arguments), {@code
   * started}/{@code finished} (ISO-8601 UTC), {@code backends} (label → settings, redacted).
   */
  public static ObjectNode json(String version, String command, List<String> args, Instant started,
      Instant finished, Map<String, String> backends) {
    ObjectNode node = RecordJson.MAPPER.createObjectNode();
    node.put("version", version);
    ArrayNode line = node.putArray("command_line");
    line.add(command);
    args.forEach(a -> line.add(redact(a)));
    node.put("started", started.toString());
    node.put("finished", finished.toString());
    ObjectNode b = node.putObject("backends");
    backends.forEach((label, settings) -> b.put(label, redact(settings)));
    return node;
  }
}
