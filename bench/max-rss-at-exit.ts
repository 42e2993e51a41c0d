/**
 * Loaded with `node --import` into a command a benchmark times as a whole process: prints
 * the process's peak resident memory as the last line of stderr, however the command exits.
 */
process.on('exit', () => process.stderr.write(`\nmax-rss-kib ${process.resourceUsage().maxRSS}\n`));
