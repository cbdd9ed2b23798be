package com.abiquo.aim.server;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric names a Grafana dashboard's PromQL queries use (its "expr" and "definition"/"query" strings). */
final class DashboardQueries {
    private static final Pattern QUERY = Pattern.compile("\"(?:expr|definition)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "bool", "offset");

    private DashboardQueries() {
    }

    static Set<String> metricNames(String dashboardJson) {
        Set<String> names = new TreeSet<>();
        Matcher query = QUERY.matcher(dashboardJson);
        while (query.find()) {
            String promQl = query.group(1).replace("\\\"", "\"")
                    .replaceAll("\"[^\"]*\"", "\"\"")                    // label values
                    .replaceAll("\\{[^}]*}", "")                          // label matchers
                    .replaceAll("\\[[^]]*]", "")                          // ranges
                    .replaceAll("\\b(by|without)\\s*\\([^)]*\\)", "")    // grouping labels
                    .replaceAll("label_values\\(([^,)]*)(,[^)]*)?\\)", "$1");
            Matcher word = IDENTIFIER.matcher(promQl);
            while (word.find()) {
                String name = word.group();
                boolean function = promQl.substring(word.end()).stripLeading().startsWith("(");
                if (!function && !KEYWORDS.contains(name) && name.contains("_")) {
                    names.add(name);
                }
            }
        }
        return names;
    }
}
