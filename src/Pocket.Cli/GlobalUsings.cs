global using Spectre.Console;
