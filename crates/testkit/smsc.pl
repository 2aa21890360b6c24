#!/usr/bin/perl
# A small SMSC for the SMS tests, speaking SMPP 3.4 through Debian's Net::SMPP (an SMPP
# implementation independent of ours): it accepts binds with the given system_id and password,
# answers every submit_sm with a message id (or refuses destinations starting with 39000 as
# invalid), logs each submit on its own line, and sends a delivery receipt when asked
# (UNDELIV for destinations ending in 99, else DELIVRD). A destination ending in 98 is a phone
# that was off: its receipt is held and sent on the next session that binds. One process per
# connection (the held receipts wait in LOGFILE.held).
#
# usage: smsc.pl PORT LOGFILE SYSTEM_ID PASSWORD
use strict;
use warnings;
use Net::SMPP;
use POSIX qw(strftime);
use IO::Handle;

my ($port, $logfile, $system_id, $password) = @ARGV;
$SIG{CHLD} = 'IGNORE';
my $listener = Net::SMPP->new_listen('127.0.0.1', port => $port, smpp_version => 0x34)
    or die "listen on $port: $!";
print STDERR "listening on $port\n";

while (1) {
    my $c = $listener->accept or next;
    my $pid = fork();
    next if $pid;    # the parent goes on accepting
    # The child serves this connection only: it lets go of the listening socket, so that when
    # the parent is stopped the port refuses at once (no child left holding it open).
    close $listener;
    # The accepted socket needs the listener's SMPP settings.
    for my $k (keys %{ Net::SMPP::Default() }) {
        ${*$c}{$k} = ${*$listener}{$k};
    }
    $c->set_version(0x34);
    serve($c);
    exit 0;
}

sub serve {
    my ($c) = @_;
    open(my $log, '>>', $logfile) or die "log: $!";
    $log->autoflush(1);
    my ($n, $bound) = (0, 0);
    while (my $pdu = $c->read_pdu()) {
        my $cmd = $pdu->{cmd};
        if ($cmd == 0x00000009 || $cmd == 0x00000002) {
            my $ok = ($pdu->{system_id} // '') eq $system_id && ($pdu->{password} // '') eq $password;
            my $resp = $cmd == 0x00000009 ? 'bind_transceiver_resp' : 'bind_transmitter_resp';
            $c->$resp(seq => $pdu->{seq}, system_id => 'cst-smsc', status => ($ok ? 0 : 0x0E));
            $bound = $ok;
            print $log "BIND\t" . ($ok ? 'ok' : 'refused') . "\n";
            if ($ok && open(my $held, '<', "$logfile.held")) {
                my @lines = <$held>;
                close $held;
                unlink "$logfile.held";
                for my $l (@lines) {
                    chomp $l;
                    my ($id, $dest, $source) = split /\t/, $l, 3;
                    receipt($c, $id, $dest, $source // '', 'DELIVRD');
                }
            }
        } elsif ($cmd == 0x00000004) {
            if (!$bound) {
                $c->submit_sm_resp(seq => $pdu->{seq}, message_id => '', status => 0x04);
                next;
            }
            my $dest = $pdu->{destination_addr} // '';
            if ($dest =~ /^39000/) {
                $c->submit_sm_resp(seq => $pdu->{seq}, message_id => '', status => 0x0B);
                print $log "REFUSED\t$dest\n";
                next;
            }
            my $id = sprintf('%x%06x', $$, ++$n);
            $c->submit_sm_resp(seq => $pdu->{seq}, message_id => $id);
            print $log join("\t", 'SUBMIT', $id, $dest, $pdu->{data_coding}, $pdu->{esm_class},
                $pdu->{registered_delivery}, unpack('H*', $pdu->{short_message} // '')) . "\n";
            if (($pdu->{registered_delivery} // 0) & 1) {
                if ($dest =~ /98$/) {
                    open(my $held, '>>', "$logfile.held") or die "held: $!";
                    print $held join("\t", $id, $dest, $pdu->{source_addr} // '') . "\n";
                    close $held;
                } else {
                    receipt($c, $id, $dest, $pdu->{source_addr} // '', $dest =~ /99$/ ? 'UNDELIV' : 'DELIVRD');
                }
            }
        } elsif ($cmd == 0x80000005) {
            # deliver_sm_resp: nothing to do.
        } elsif ($cmd == 0x00000015) {
            $c->enquire_link_resp(seq => $pdu->{seq});
        } elsif ($cmd == 0x00000006) {
            $c->unbind_resp(seq => $pdu->{seq});
            last;
        } else {
            $c->generic_nack(seq => $pdu->{seq}, status => 0x03);
        }
    }
    close $log;
}

sub receipt {
    my ($c, $id, $dest, $source, $stat) = @_;
    my $now = strftime('%y%m%d%H%M', gmtime);
    my $text = sprintf('id:%s sub:001 dlvrd:%s submit date:%s done date:%s stat:%s err:%s text:',
        $id, ($stat eq 'DELIVRD' ? '001' : '000'), $now, $now, $stat, ($stat eq 'DELIVRD' ? '000' : '001'));
    $c->deliver_sm(source_addr => $dest, destination_addr => $source,
        esm_class => 0x04, short_message => $text, async => 1);
}
