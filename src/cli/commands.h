/* One function per `towerlens COMMAND`; each parses its own options, prints
 * its own --help, and returns the process exit status. */
#ifndef TL_CLI_COMMANDS_H
#define TL_CLI_COMMANDS_H

typedef struct tl_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} tl_command;

int cmd_stats(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_recommend(int argc, char **argv);
int cmd_similar(int argc, char **argv);
int cmd_foldin(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_generate(int argc, char **argv);

#endif
