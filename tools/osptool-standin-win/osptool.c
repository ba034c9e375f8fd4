/*
 * OSPTool stand-in for the Windows lane (test/windows): a native console program, built by
 * mingw-w64, that receives its arguments as OSPTool.com does (the command line parsed by
 * CommandLineToArgvW, as .NET parses it) and writes console output as a .NET console program
 * with redirected output does: CRLF lines in the console's output code page (GetConsoleOutputCP,
 * or the OEM code page when it has no console).
 *
 * Beside the executable:
 *   osptool-calls.txt    appended: one line per call, each argument as UTF-8 in hex, space separated
 *   osptool-control.txt  optional: `@<first call>` then one mode per call from that call on,
 *                        space separated, the last one repeating:
 *                        ok (default) | exit | error-text | hang | hang-helper
 *   osptool-helper.pid   written by hang-helper: the pid of the helper holding the output handles
 *
 * Usage as the contract says: OSPTool.com /Publish <package> <hostname> <user> <password>
 * [/catalogmappings <file>]. Exits 2 on any other form.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static wchar_t here[MAX_PATH];

static void besideMe(wchar_t *out, const wchar_t *name) {
  wcscpy(out, here);
  wcscat(out, name);
}

/* Writes one line in the console's output code page, CRLF-ended, as .NET's Console.Out does. */
static void say(const wchar_t *text) {
  UINT cp = GetConsoleOutputCP();
  if (cp == 0) cp = GetOEMCP();
  char bytes[4096];
  int n = WideCharToMultiByte(cp, 0, text, -1, bytes, sizeof bytes - 3, NULL, NULL);
  if (n <= 0) return;
  n--; /* the terminating zero */
  bytes[n++] = '\r';
  bytes[n++] = '\n';
  DWORD written;
  WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), bytes, (DWORD)n, &written, NULL);
}

/* Records this call; returns how many calls came before it. */
static int recordCall(int argc, wchar_t **argv) {
  wchar_t file[MAX_PATH];
  besideMe(file, L"osptool-calls.txt");
  int before = 0;
  FILE *f = _wfopen(file, L"rb");
  if (f != NULL) {
    for (int c = fgetc(f); c != EOF; c = fgetc(f)) before += c == '\n';
    fclose(f);
  }
  f = _wfopen(file, L"ab");
  if (f == NULL) return before;
  for (int i = 1; i < argc; i++) {
    char utf8[8192];
    int n = WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, utf8, sizeof utf8, NULL, NULL);
    for (int j = 0; j + 1 < n; j++) fprintf(f, "%02x", (unsigned char)utf8[j]);
    fputc(i + 1 < argc ? ' ' : '\n', f);
  }
  if (argc < 2) fputc('\n', f);
  fclose(f);
  return before;
}

/* The mode for call number `call` (0-based): the call-th word of the control file, or its last. */
static void readMode(int call, char *mode, size_t size) {
  wchar_t file[MAX_PATH];
  besideMe(file, L"osptool-control.txt");
  strcpy(mode, "ok");
  FILE *f = _wfopen(file, L"rb");
  if (f == NULL) return;
  char text[1024];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = 0;
  int index = 0;
  for (char *word = strtok(text, " \r\n"); word != NULL; word = strtok(NULL, " \r\n")) {
    if (word[0] == '@') {
      index = atoi(word + 1);
      continue;
    }
    if (strlen(word) < size) strcpy(mode, word);
    if (index++ >= call) break;
  }
}

/* A helper that inherits the output handles and outlives this process, as a tool's worker could. */
static void startHelper(void) {
  wchar_t self[MAX_PATH];
  GetModuleFileNameW(NULL, self, MAX_PATH);
  wchar_t commandLine[MAX_PATH + 16];
  swprintf(commandLine, MAX_PATH + 16, L"\"%ls\" /helper", self);
  STARTUPINFOW si;
  PROCESS_INFORMATION pi;
  ZeroMemory(&si, sizeof si);
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
  si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  if (!CreateProcessW(NULL, commandLine, NULL, NULL, TRUE, CREATE_BREAKAWAY_FROM_JOB, NULL, NULL, &si, &pi) &&
      !CreateProcessW(NULL, commandLine, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
    return;
  }
  wchar_t file[MAX_PATH];
  besideMe(file, L"osptool-helper.pid");
  FILE *f = _wfopen(file, L"wb");
  if (f != NULL) {
    fprintf(f, "%lu", (unsigned long)pi.dwProcessId);
    fclose(f);
  }
}

int wmain(void) {
  int argc = 0;
  wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
  if (argv == NULL) return 3;
  if (argc == 2 && wcscmp(argv[1], L"/helper") == 0) {
    Sleep(60000);
    return 0;
  }
  GetModuleFileNameW(NULL, here, MAX_PATH);
  wchar_t *slash = wcsrchr(here, L'\\');
  if (slash != NULL) slash[1] = 0;
  int call = recordCall(argc, argv);

  int contractForm = (argc == 6 || (argc == 8 && wcscmp(argv[6], L"/catalogmappings") == 0)) &&
                     wcscmp(argv[1], L"/Publish") == 0;
  if (!contractForm) {
    say(L"Usage: OSPTool.com /Publish <package> <hostname> <username> <password> [/catalogmappings <file>]");
    return 2;
  }
  if (GetFileAttributesW(argv[2]) == INVALID_FILE_ATTRIBUTES) {
    wchar_t line[4096];
    swprintf(line, 4096, L"Error: File '%ls' not found", argv[2]);
    say(line);
    return 1;
  }
  char mode[64];
  readMode(call, mode, sizeof mode);
  wchar_t line[4096];
  swprintf(line, 4096, L"Info: Connecting to %ls as %ls...", argv[3], argv[4]);
  say(line);
  /* An application name with accents, in the console code page: the task must show it right. */
  say(L"Info: Publishing application 'Gest\u00e3o Cl\u00ednica'...");
  if (strcmp(mode, "exit") == 0) {
    say(L"Error: Publication of application 'Gest\u00e3o Cl\u00ednica' failed - Service Center stopped the solution publish");
    return 1;
  }
  if (strcmp(mode, "error-text") == 0) {
    say(L"Warning: Outdated Consumer - 'Gest\u00e3o Cl\u00ednica' references an element its producer no longer exposes");
    say(L"Info: Solution publish finished with errors");
    return 0;
  }
  if (strcmp(mode, "hang") == 0 || strcmp(mode, "hang-helper") == 0) {
    if (strcmp(mode, "hang-helper") == 0) startHelper();
    Sleep(INFINITE);
  }
  say(L"Info: Solution published successfully");
  return 0;
}
