//! `localvpc ssh [user@]HOST`: log in to an instance from the internet, as `ssh` would.
//!
//! The connection is a TCP probe from the internet to HOST port 22 (a public address, or a public name resolved from
//! the internet). It succeeds only if the probe is reachable, as a real `ssh` would connect; a drop prints ssh's
//! "Connection timed out", a reset "Connection refused", exit 255. Once in, a prompt reads lines from stdin and runs
//! the tools as `exec <that instance>` would, until `exit`, `logout` or end of input.
//!
//! With `-i KEY`, the key must be the instance's key pair's, as sshd on an EC2 image checks it against the
//! `authorized_keys` written at launch: any other key, or any key for an instance launched without a key pair, gets
//! ssh's `Permission denied (publickey…)`, exit 255. Without `-i` no key is checked (ssh's default identities in
//! `~/.ssh` are not consulted).

use std::io::{BufRead, Write};
use std::net::IpAddr;

use crate::cli::SshArgs;
use crate::client::{Client, Protocol, Verdict};
use crate::tools::{self, Printed, TOOL_NAMES};

/// ssh's status for its own failures (connection, resolution).
const SSH_FAILED: u8 = 255;

/// Connects, then runs the shell on stdin; returns ssh's exit status (the shell's, once logged in).
pub fn run(client: &Client, args: &SshArgs) -> anyhow::Result<u8> {
    let (user, host) = match args.destination.split_once('@') {
        Some((user, host)) => (user.to_string(), host.to_string()),
        None => (args.login.clone().unwrap_or_else(|| "ec2-user".to_string()), args.destination.clone()),
    };
    let (instance, address) = match connect(client, &host, args.port)? {
        Ok(landed) => landed,
        Err(failure) => return Ok(failure.emit()),
    };
    if let Some(identity) = &args.identity {
        if let Some(refused) = authenticate(client, &instance, identity, &user, &host)? {
            return Ok(refused.emit());
        }
    }
    let prompt = prompt(&user, address, &instance);
    let stdin = std::io::stdin();
    let status = shell(&prompt, stdin.lock(), &mut std::io::stdout(), &mut std::io::stderr(), |argv| {
        tools::run(client, &instance, argv, false)
    })?;
    eprintln!("Connection to {host} closed.");
    Ok(status)
}

/// Opens the TCP connection from the internet to `host` port `port`: the instance it lands on and that instance's
/// private address, or what ssh prints when it cannot connect (exit status 255).
pub fn connect(client: &Client, host: &str, port: u16) -> anyhow::Result<Result<(String, IpAddr), Printed>> {
    let result = client.probe("internet", host, Protocol::Tcp(port))?;
    let failure = match result.verdict {
        Verdict::Unresolved => Some(format!("ssh: Could not resolve hostname {host}: Name or service not known\n")),
        Verdict::Dropped => Some(format!("ssh: connect to host {host} port {port}: Connection timed out\n")),
        Verdict::Refused => Some(format!("ssh: connect to host {host} port {port}: Connection refused\n")),
        Verdict::Reachable => None,
    };
    if let Some(message) = failure {
        return Ok(Err(Printed::err(message, SSH_FAILED)));
    }
    let forward = result.forward.unwrap_or_default();
    let (Some(instance), Some(address)) = (forward.delivered_instance, forward.delivered_address) else {
        if forward.withheld {
            anyhow::bail!(
                "{host} answers on port {port}, but it is an instance of another account (or region): localvpc opens \
                 a shell only on your own instances"
            );
        }
        anyhow::bail!("{host} is a host of the emulated internet, not an instance: there is no shell to open there");
    };
    Ok(Ok((instance, address)))
}

/// Offers the identity file's key to the instance: `None` when it logs in, else what ssh prints (exit 255). An
/// identity file that cannot be read is what ssh says of it, and no key is offered — which sshd refuses too.
fn authenticate(
    client: &Client,
    instance: &str,
    identity: &std::path::Path,
    user: &str,
    host: &str,
) -> anyhow::Result<Option<Printed>> {
    let denied = format!("{user}@{host}: Permission denied (publickey,gssapi-keyex,gssapi-with-mic).\n");
    let text = match std::fs::read_to_string(identity) {
        Ok(text) => text,
        Err(_) => {
            let missing =
                format!("Warning: Identity file {} not accessible: No such file or directory.\n", identity.display());
            return Ok(Some(Printed::err(missing + &denied, SSH_FAILED)));
        }
    };
    let Some(public_key) = localvpc_model::key_pair::login::public_key_of_identity(&text) else {
        let invalid = format!("Load key \"{}\": invalid format\n", identity.display());
        return Ok(Some(Printed::err(invalid + &denied, SSH_FAILED)));
    };
    Ok(client.login(instance, &public_key)?.map(|reason| {
        // ssh says no more than this; the reason is the emulator's, on a line of its own.
        Printed::err(format!("{denied}localvpc: {reason}\n"), SSH_FAILED)
    }))
}

/// Amazon Linux's bash prompt: `[ec2-user@ip-10-6-1-10 ~]$ ` (`#` for root), the host named by the private IPv4
/// address the connection reached. ASSUMPTION (part 2 §16.1): a connection over IPv6 names the host by its
/// resource name, the instance ID, as IPv6-only instances are named.
pub fn prompt(user: &str, address: IpAddr, instance: &str) -> String {
    let sign = if user == "root" { '#' } else { '$' };
    let host = match address {
        IpAddr::V4(private_ip) => format!("ip-{}", private_ip.to_string().replace('.', "-")),
        IpAddr::V6(_) => instance.to_string(),
    };
    format!("[{user}@{host} ~]{sign} ")
}

/// The shell: one command per line. `tool` runs a tool command line; a tool's usage error is printed as clap
/// renders it and the shell goes on. Returns the status `exit` gives (the last command's, as bash's `exit`).
pub fn shell(
    prompt: &str,
    input: impl BufRead,
    out: &mut impl Write,
    err: &mut impl Write,
    mut tool: impl FnMut(&[String]) -> anyhow::Result<Printed>,
) -> anyhow::Result<u8> {
    let mut last: u8 = 0;
    let mut lines = input.lines();
    loop {
        write!(out, "{prompt}")?;
        out.flush()?;
        let Some(line) = lines.next().transpose()? else {
            writeln!(out, "logout")?;
            return Ok(last);
        };
        let argv: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        let Some(command) = argv.first() else { continue };
        match command.as_str() {
            "exit" | "logout" => {
                writeln!(out, "logout")?;
                return Ok(argv
                    .get(1)
                    .and_then(|code| code.parse::<i64>().ok())
                    .map_or(last, |code| code.rem_euclid(256) as u8));
            }
            name if TOOL_NAMES.contains(&name) => {
                last = match tool(&argv) {
                    Ok(printed) => {
                        out.write_all(printed.stdout.as_bytes())?;
                        err.write_all(printed.stderr.as_bytes())?;
                        printed.status
                    }
                    Err(error) => match error.downcast_ref::<clap::Error>() {
                        Some(usage) => {
                            let rendered = usage.render().to_string();
                            if usage.use_stderr() {
                                err.write_all(rendered.as_bytes())?;
                            } else {
                                out.write_all(rendered.as_bytes())?;
                            }
                            usage.exit_code() as u8
                        }
                        None => return Err(error),
                    },
                };
            }
            name => {
                writeln!(err, "-bash: {name}: command not found")?;
                last = 127;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(input: &str) -> (String, String, u8, Vec<Vec<String>>) {
        let (mut out, mut err, mut ran) = (Vec::new(), Vec::new(), Vec::new());
        let status = shell("$ ", input.as_bytes(), &mut out, &mut err, |argv| {
            ran.push(argv.to_vec());
            Ok(Printed { stdout: "pong\n".into(), stderr: String::new(), status: 1 })
        })
        .unwrap();
        (String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap(), status, ran)
    }

    #[test]
    fn the_prompt() {
        let private = IpAddr::V4(std::net::Ipv4Addr::new(10, 6, 1, 10));
        assert_eq!(prompt("ec2-user", private, "i-1"), "[ec2-user@ip-10-6-1-10 ~]$ ");
        assert_eq!(prompt("root", private, "i-1"), "[root@ip-10-6-1-10 ~]# ");
        assert_eq!(prompt("ec2-user", "2600:1f10::10".parse().unwrap(), "i-1"), "[ec2-user@i-1 ~]$ ");
    }

    #[test]
    fn tools_unknown_commands_and_exit() {
        let (out, err, status, ran) = session("ping -c 1 10.7.1.4\n\nfoo bar\nexit\nping never\n");
        assert_eq!(out, "$ pong\n$ $ $ logout\n");
        assert_eq!(err, "-bash: foo: command not found\n");
        assert_eq!(status, 127, "exit without a number keeps the last status");
        assert_eq!(ran, vec![vec!["ping".to_string(), "-c".into(), "1".into(), "10.7.1.4".into()]]);
    }

    #[test]
    fn end_of_input_and_exit_codes() {
        let (out, _, status, _) = session("");
        assert_eq!((out.as_str(), status), ("$ logout\n", 0));
        assert_eq!(session("exit 3\n").2, 3);
        assert_eq!(session("nc -z h 22\nlogout\n").2, 1);
    }
}
