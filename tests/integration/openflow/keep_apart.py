"""An os-ken application (OpenFlow 1.3) for test_ovs.py: keeps two ports of the bridge apart.
Frames entering on either of them go only to the bridge's own port (the host); everything else is
switched normally. The two OpenFlow port numbers come from KEEP_APART_PORTS ("3,4")."""

import os

from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER, set_ev_cls
from os_ken.ofproto import ofproto_v1_3


class KeepApart(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def switch_features(self, ev):
        dp = ev.msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser

        def flow(priority, match, actions):
            inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, actions)]
            dp.send_msg(parser.OFPFlowMod(datapath=dp, priority=priority, match=match, instructions=inst))

        flow(0, parser.OFPMatch(), [parser.OFPActionOutput(ofp.OFPP_NORMAL)])
        for port in os.environ["KEEP_APART_PORTS"].split(","):
            flow(100, parser.OFPMatch(in_port=int(port)), [parser.OFPActionOutput(ofp.OFPP_LOCAL)])
